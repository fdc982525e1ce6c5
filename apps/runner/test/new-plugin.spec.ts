import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { readMetrics, readStatus } from '@elbo/trackers';
import { main } from '../src/main.js';
import { captureOutput, repoRoot } from './helpers.js';
import { runProgram, scratchWorkspace, tools } from './new-plugin-helpers.js';

const output = captureOutput();
const ws = scratchWorkspace('new-plugin-');
afterAll(() => ws.dispose());
const packages = join(ws.root, 'packages');

describe('elbo new plugin: refusals (exit 2, nothing written)', () => {
  for (const name of ['Beta_KL', '1st-kl', 'beta--kl', 'beta-', '@acme', '@Acme/kl', 'beta/kl', '@acme/']) {
    it(`an invalid name: ${JSON.stringify(name)}`, async () => {
      expect(await main(['new', 'plugin', name, '--dir', packages])).toBe(2);
      expect(output.err).toMatch(/error: new plugin: ".*" is not a valid (plugin|package) name/);
      expect(existsSync(packages)).toBe(false);
    });
  }

  it('an existing folder', async () => {
    mkdirSync(join(packages, 'taken'), { recursive: true });
    writeFileSync(join(packages, 'taken', 'notes.txt'), 'mine');
    expect(await main(['new', 'plugin', 'taken', '--dir', packages])).toBe(2);
    expect(output.err).toContain('taken already exists; choose another name, or another folder with --dir');
    expect(readFileSync(join(packages, 'taken', 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('a component name that is taken, and an unknown kind', async () => {
    expect(await main(['new', 'plugin', 'kl', '--dir', packages])).toBe(2);
    expect(output.err).toContain('divergence/kl is already a registered component');
    output.clear();
    expect(await main(['new', 'plugin', 'my-thing', '--kind', 'optimiser', '--dir', packages])).toBe(2);
    expect(output.err).toContain('Invalid values');
    expect(existsSync(join(packages, 'kl')) || existsSync(join(packages, 'my-thing'))).toBe(false);
  });
});

describe('elbo new plugin beta-kl (the default kind: divergence)', () => {
  const folder = join(packages, 'beta-kl');

  it('writes the package, adds it to the workspace and prints the manifest line', async () => {
    expect(await main(['new', 'plugin', 'beta-kl', '--dir', packages])).toBe(0);
    expect(output.out).toContain('manifest (');
    expect(output.out).toContain('export const betaKlManifest: ComponentManifest = [betaKlDivergence];');
    for (const file of ['package.json', 'README.md', 'src/index.ts', 'src/beta-kl-module.ts', 'src/beta-kl-divergence.ts', 'src/beta-kl-module.spec.ts']) {
      expect(existsSync(join(folder, file)), file).toBe(true);
    }
    expect(readFileSync(join(folder, 'src/beta-kl-module.ts'), 'utf8')).toContain('export const betaKlManifest: ComponentManifest = [betaKlDivergence];');
    const pkg = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
    const runner = JSON.parse(readFileSync(join(repoRoot, 'apps', 'runner', 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ name: '@elbo/beta-kl', type: 'module', exports: { '.': './src/index.ts' }, nx: { tags: ['type:plugin'] } });
    for (const dep of ['@elbo/core', 'zod', 'inversify', '@tensorflow/tfjs-core']) expect(pkg.dependencies[dep], dep).toBe(runner.dependencies[dep]);
    expect(JSON.parse(readFileSync(join(ws.root, 'package.json'), 'utf8')).workspaces).toEqual(['packages/beta-kl']);
    expect(readFileSync(join(folder, 'README.md'), 'utf8')).toContain('plugins: ["@elbo/beta-kl"]');
  });

  it('refuses to write over it a second time', async () => {
    expect(await main(['new', 'plugin', 'beta-kl', '--dir', packages])).toBe(2);
    expect(output.err).toContain('already exists');
  });

  it('elbo train runs with the generated component, named by its package, and logs its parts', async () => {
    ws.link('@elbo/beta-kl', folder); // what `npm install` does for a workspace package
    const config = {
      experiment: 'plugin',
      seed: 3,
      backend: 'wasm',
      runs: 'runs',
      plugins: ['@elbo/beta-kl'],
      data: { name: 'mnist', limit: { train: 400, test: 100 } },
      model: { latent: 4, encoder: { name: 'mlp', hidden: [32] }, decoder: { name: 'mlp', hidden: [32] }, divergence: { name: 'beta-kl', beta: 2 } },
      train: { epochs: 1, batchSize: 50, stepsPerEpoch: 2 },
      eval: { k: 2, limit: 50 },
      tracking: { local: {}, console: false },
    };
    writeFileSync(join(ws.root, 'plugin.yaml'), stringify(config));
    const r = await runProgram(tools.elbo, ['train', 'plugin.yaml'], ws.root);
    expect(r.code, r.stderr).toBe(0);
    const runDir = r.stdout.trim().split('\n').pop()!;
    expect(readStatus(runDir)?.status).toBe('FINISHED');
    const metrics = readMetrics(runDir);
    const kl = metrics.find((m) => m.key === 'train/kl')!;
    const weighted = metrics.find((m) => m.key === 'train/weighted_kl')!;
    expect(kl.value).toBeGreaterThan(0);
    expect(weighted.value).toBeCloseTo(2 * kl.value, 4); // β = 2
  });
});
