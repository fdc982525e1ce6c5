import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { readMetrics, readStatus } from '@elbo/trackers';
import { main } from '../src/main.js';
import { PLUGIN_KINDS } from '../src/new-plugin/plugin-names.js';
import { captureOutput, repoRoot } from './helpers.js';
import { runProgram, scratchWorkspace, tools } from './new-plugin-helpers.js';

captureOutput(); // keep the runs' messages out of the test report
const ws = scratchWorkspace('new-plugin-kinds-');
afterAll(() => ws.dispose());
const packages = join(ws.root, 'packages');
const folderOf = (kind: string) => join(packages, `my-${kind}`);

/** Every template, generated side by side: `my-encoder`, `my-decoder`, …, `my-metric`. */
describe('elbo new plugin --kind <each kind>', () => {
  beforeAll(async () => {
    const quiet = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      for (const kind of PLUGIN_KINDS) {
        expect(await main(['new', 'plugin', `my-${kind}`, '--kind', kind, '--dir', packages]), kind).toBe(0);
        ws.link(`@elbo/my-${kind}`, folderOf(kind));
      }
    } finally {
      quiet.mockRestore();
    }
  });

  it('adds every package to the workspace; a package uses @elbo/compute only when its template builds layers', () => {
    expect(JSON.parse(readFileSync(join(ws.root, 'package.json'), 'utf8')).workspaces).toEqual(PLUGIN_KINDS.map((k) => `packages/my-${k}`));
    for (const kind of PLUGIN_KINDS) {
      const pkg = JSON.parse(readFileSync(join(folderOf(kind), 'package.json'), 'utf8'));
      const layers = kind === 'encoder' || kind === 'decoder';
      expect(Object.keys(pkg.dependencies).includes('@elbo/compute'), kind).toBe(layers);
      expect(Object.keys(pkg.devDependencies).includes('@elbo/compute'), kind).toBe(!layers);
    }
  });

  it('type-checks under the repository’s compiler settings', async () => {
    writeFileSync(join(ws.root, 'tsconfig.json'), JSON.stringify({ extends: join(repoRoot, 'tsconfig.base.json'), include: ['packages/*/src/**/*.ts'] }));
    const r = await runProgram(tools.tsc, ['-p', 'tsconfig.json', '--noEmit'], ws.root);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('the generated specs pass', async () => {
    writeFileSync(join(ws.root, 'vitest.config.mjs'), "export default { test: { include: ['packages/*/src/**/*.spec.ts'], pool: 'forks', maxWorkers: 2, testTimeout: 60000 } };\n");
    const r = await runProgram(tools.vitest, ['run', '--config', 'vitest.config.mjs'], ws.root);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`Test Files  ${PLUGIN_KINDS.length} passed`);
  });

  it('elbo train runs a model made of the generated dataset, encoder, decoder, prior, likelihood, divergence and tracker', async () => {
    const config = {
      experiment: 'kinds',
      seed: 3,
      backend: 'wasm',
      runs: 'runs',
      plugins: PLUGIN_KINDS.map((k) => `@elbo/my-${k}`),
      data: { name: 'my-dataset', trainSize: 200, testSize: 50 },
      model: {
        latent: 2,
        encoder: { name: 'my-encoder', hidden: 16 },
        decoder: { name: 'my-decoder', hidden: 16 },
        prior: 'my-prior',
        likelihood: 'my-likelihood',
        divergence: 'my-divergence',
      },
      train: { epochs: 2, batchSize: 50 },
      eval: { k: 2, metrics: { 'my-metric': { numExamples: 100 } } },
      tracking: { local: {}, console: false, 'my-tracker': {} },
    };
    writeFileSync(join(ws.root, 'kinds.yaml'), stringify(config));
    const r = await runProgram(tools.elbo, ['train', 'kinds.yaml'], ws.root);
    expect(r.code, r.stderr).toBe(0);
    const runDir = r.stdout.trim().split('\n').pop()!;
    expect(readStatus(runDir)?.status).toBe('FINISHED');
    expect(r.stderr).toContain('data: my-dataset: 4 Gaussian clusters in 16 dimensions');
    const losses = readMetrics(runDir).filter((m) => m.key === 'train/loss');
    expect(losses.map((m) => m.step)).toEqual([1, 2]);
    const csv = readFileSync(join(runDir, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('step,key,value,timestamp');
    expect(csv).toContain(`1,"train/loss",${losses[0]!.value},${losses[0]!.timestamp}`);
  });
});
