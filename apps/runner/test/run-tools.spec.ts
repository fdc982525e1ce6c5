import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePng, loadConfig, resolveConfig, SilentLogger, trainRun } from '@elbo/core';
import { readArtifactIndex, readMetrics } from '@elbo/trackers';
import { main } from '../src/main.js';
import { setup } from '../src/setup.js';
import { captureOutput, tempDir, writeConfig } from './helpers.js';

const dir = tempDir('elbo-run-tools-');
const runsDir = join(dir, 'runs');
const tiny = {
  train: { epochs: 2, batchSize: 50, stepsPerEpoch: 4 },
  eval: { k: 0, limit: 100 },
  data: { name: 'mnist', limit: { train: 400, test: 100 } },
  tracking: { local: {}, console: false },
};
/** Each run's folder and the last held-out negative ELBO of its metrics.jsonl. */
const runs: { dir: string; negElbo: number }[] = [];

async function train(name: string, latent: number): Promise<void> {
  const file = writeConfig(dir, { ...tiny, name, model: { latent, encoder: { name: 'mlp', hidden: [32] }, decoder: { name: 'mlp', hidden: [32] } } }, `${name}.yaml`);
  const { registry, container } = await setup();
  const config = resolveConfig(await loadConfig(file), registry, file);
  const r = await trainRun({ config, registry, container, logger: new SilentLogger() });
  const negElbo = readMetrics(r.runDir).filter((p) => p.key === 'test/neg_elbo');
  runs.push({ dir: r.runDir, negElbo: negElbo.at(-1)!.value });
}

beforeAll(async () => {
  await train('small', 2);
  await train('large', 6);
}, 120_000);

const output = captureOutput();
const png = (file: string) => decodePng(readFileSync(file));
const csvRows = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => l.split(','));

describe('every run draws its training curves', () => {
  it('artifacts/curves.png: a PNG of the per-epoch curves, listed in artifacts.json', () => {
    for (const r of runs) {
      const file = join(r.dir, 'artifacts', 'curves.png');
      expect(readFileSync(file).subarray(1, 4).toString()).toBe('PNG');
      const image = png(file);
      // Three panels or more (loss · neg_elbo, recon, kl) side by side, at twice the spec's size.
      expect(image.width).toBeGreaterThan(1200);
      expect(image.height).toBeGreaterThan(300);
      expect(statSync(file).size).toBeGreaterThan(20_000);
      expect(readArtifactIndex(r.dir)['curves.png']?.size).toBe(statSync(file).size);
    }
    expect(
      readMetrics(runs[0]!.dir)
        .filter((p) => p.key === 'train/loss')
        .map((p) => p.step),
    ).toEqual([1, 2]);
  });
});

describe('elbo runs', () => {
  it('lists both runs with the param that differs and their final metrics', async () => {
    expect(await main(['runs', '--runs', runsDir])).toBe(0);
    const [header, rule, ...rows] = output.out.trimEnd().split('\n');
    expect(header).toMatch(/^run\s+name\s+status\s+model\.latent\s+.*test\/neg_elbo/);
    expect(rule).toMatch(/^-+ /);
    expect(rows).toHaveLength(2);
    expect(rows.join('\n')).toMatch(/small\s+FINISHED\s+2 /);
    expect(rows.join('\n')).toMatch(/large\s+FINISHED\s+6 /);
    // Params that are equal in both runs are left out.
    expect(header).not.toContain('train.epochs');
  });

  it('--where keeps the runs every clause holds for; --sort orders them', async () => {
    const [a, b] = runs.map((r) => r.negElbo) as [number, number];
    const between = (a + b) / 2;
    expect(await main(['runs', '--runs', runsDir, '--where', `test/neg_elbo < ${between}`])).toBe(0);
    const better = a < b ? 'small' : 'large';
    const worse = a < b ? 'large' : 'small';
    expect(output.out).toContain(better);
    expect(output.out).not.toContain(worse);
    output.clear();
    expect(await main(['runs', '--runs', runsDir, '--where', 'test/neg_elbo>0', '--where', 'model.latent >= 6'])).toBe(0);
    expect(output.out).toContain('large');
    expect(output.out).not.toContain('small');
    output.clear();
    expect(await main(['runs', '--runs', runsDir, '--experiment', 'test', '--sort', 'test/neg_elbo', '--csv'])).toBe(0);
    const names = csvRows(output.out)
      .slice(1)
      .map((r) => r[2]);
    expect(names).toEqual([better, worse]);
  });

  it('--csv: a header and one row per run, with exact values and the run folder', async () => {
    expect(await main(['runs', '--runs', runsDir, '--csv'])).toBe(0);
    const [header, ...rows] = csvRows(output.out);
    expect(header!.slice(0, 4)).toEqual(['run', 'experiment', 'name', 'status']);
    expect(header).toContain('model.latent');
    expect(header!.at(-1)).toBe('run_dir');
    expect(rows).toHaveLength(2);
    const col = (name: string) => header!.indexOf(name);
    for (const row of rows) {
      const run = runs.find((r) => r.dir === row[col('run_dir')])!;
      expect(Number(row[col('test/neg_elbo')])).toBe(run.negElbo);
      expect(row[col('status')]).toBe('FINISHED');
    }
  });

  it.each([
    ['no operator', 'test/neg_elbo 110'],
    ['not a number', 'test/neg_elbo < low'],
    ['an unknown operator', 'test/neg_elbo =< 110'],
  ])('a malformed --where (%s) exits 2 naming the clause', async (_what, clause) => {
    expect(await main(['runs', '--runs', runsDir, '--where', 'test/neg_elbo < 500', '--where', clause])).toBe(2);
    expect(output.err).toContain(`--where ${JSON.stringify(clause)}: expected <key> <op> <number>`);
    expect(output.out).toBe('');
  });

  it('a runs folder that does not exist exits 2 naming it', async () => {
    expect(await main(['runs', '--runs', join(dir, 'nowhere')])).toBe(2);
    expect(output.err).toContain('nowhere: no such folder');
  });
});

describe('elbo compare and elbo plot', () => {
  it('compare: the differing params, the final metrics side by side, the curves overlaid', async () => {
    const out = join(dir, 'compare.png');
    expect(await main(['compare', runs[0]!.dir, runs[1]!.dir, '--out', out])).toBe(0);
    expect(output.out).toMatch(/params that differ:\nparam\s+small\s+large\n-+.*\nmodel\.latent\s+2\s+6\n/);
    expect(output.out).toMatch(/final metrics:\nmetric\s+small\s+large\n/);
    expect(output.out).toMatch(/test\/neg_elbo\s+[\d.]+\s+[\d.]+\n/);
    expect(output.out.trimEnd().endsWith(out)).toBe(true);
    expect(png(out).width).toBeGreaterThan(600);
  });

  it('plot: one metric of several runs in one PNG, its path printed', async () => {
    const out = join(dir, 'kl.png');
    expect(await main(['plot', runs[0]!.dir, runs[1]!.dir, '--metric', 'train/kl', '--out', out])).toBe(0);
    expect(output.out).toBe(`${out}\n`);
    expect(png(out).height).toBeGreaterThan(400);
  });

  it('a metric no run has, or a folder that is not a run, exits 2 and writes nothing', async () => {
    const out = join(dir, 'never.png');
    expect(await main(['plot', runs[0]!.dir, '--metric', 'test/nope', '--out', out])).toBe(2);
    expect(output.err).toMatch(/--metric test\/nope: none of the runs has it in metrics.jsonl \(they have: .*test\/kl, test\/neg_elbo, test\/recon, train\/kl, train\/loss/);
    expect(await main(['compare', runs[0]!.dir, dir, '--out', out])).toBe(2);
    expect(output.err).toContain(`${dir}: not a run folder (no config.yaml)`);
    expect(existsSync(out)).toBe(false);
  });
});

describe('elbo sample without --out', () => {
  it('writes into the run’s artifacts, next to (not over) the run’s own samples.png', async () => {
    const own = join(runs[0]!.dir, 'artifacts', 'samples.png');
    const before = createHash('sha256').update(readFileSync(own)).digest('hex');
    expect(await main(['sample', runs[0]!.dir, '--n', '4', '--seed', '3'])).toBe(0);
    const file = join(runs[0]!.dir, 'artifacts', 'samples-4-seed3.png');
    expect(output.out).toBe(`${file}\n`);
    expect(png(file).width).toBe(2 * 28 + 3 * 2);
    expect(createHash('sha256').update(readFileSync(own)).digest('hex')).toBe(before);
  });
});

describe('elbo --version', () => {
  it.each([['--version'], ['version']])('elbo %s prints the versions and the backend auto chooses, and exits 0', async (arg) => {
    expect(await main([arg])).toBe(0);
    const lines = output.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^elbo \d+\.\d+\.\d+$/);
    expect(lines[1]).toBe('TensorFlow.js 4.22.0');
    expect(lines[2]).toBe(`Node.js ${process.versions.node}`);
    expect(lines[3]).toMatch(/^backend: (tensorflow|wasm|cpu) \((auto|requested by ELBO_BACKEND=\w+)/);
  });
});
