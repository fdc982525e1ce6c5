import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { Rng } from '@elbo/core';
import { sweepCommand } from '../src/commands/sweep.js';
import { report } from '../src/errors.js';
import { expandTrials } from '../src/sweep/expand-trials.js';
import { parseDistribution } from '../src/sweep/parse-distribution.js';
import { resolveTrials, trialHash } from '../src/sweep/resolve-trials.js';
import { readSweepFile } from '../src/sweep/sweep-spec.js';
import { repoRoot, tempDir, writeConfig, captureOutput } from './helpers.js';

const dir = tempDir('elbo-sweep-expand-');
writeConfig(dir, { model: { latent: 10, encoder: { name: 'mlp', hidden: [32] }, decoder: { name: 'mlp', hidden: [32] }, divergence: { name: 'kl', beta: 1 } } }, 'base.yaml');

let n = 0;
/** Writes a sweep file next to base.yaml (sweep text as YAML, or an object). */
function sweepFile(content: string | Record<string, unknown>): string {
  const file = join(dir, `sweep-${++n}.yaml`);
  writeFileSync(file, typeof content === 'string' ? content : stringify({ base: 'base.yaml', metric: { name: 'test/neg_elbo' }, ...content }));
  return file;
}

/** The sweep command as main() runs it: errors become their exit status. */
async function cli(file: string, opts: { set?: string[]; workers?: number; dryRun?: boolean } = {}): Promise<number> {
  try {
    return await sweepCommand({ file, set: opts.set ?? [], dryRun: opts.dryRun ?? true, ...(opts.workers !== undefined ? { workers: opts.workers } : {}) });
  } catch (e) {
    return report(e);
  }
}

const output = captureOutput();

describe('sweep expansion', () => {
  it('grid: every combination, the last path varying fastest, with where each value comes from', async () => {
    const spec = await readSweepFile(sweepFile({ grid: { 'model.divergence.beta': [1, 2], seed: [1, 2, 3] } }));
    const trials = expandTrials(spec);
    expect(trials.map((t) => t.params)).toEqual([
      { 'model.divergence.beta': 1, seed: 1 },
      { 'model.divergence.beta': 1, seed: 2 },
      { 'model.divergence.beta': 1, seed: 3 },
      { 'model.divergence.beta': 2, seed: 1 },
      { 'model.divergence.beta': 2, seed: 2 },
      { 'model.divergence.beta': 2, seed: 3 },
    ]);
    expect(trials.map((t) => t.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(trials[4]!.origins).toEqual({ 'model.divergence.beta': 'grid.model.divergence.beta[1]', seed: 'grid.seed[1]' });
  });

  const space = {
    'optimizer.lr': 'loguniform(1e-4, 1e-2)',
    'model.latent': 'choice(8, 16, 32)',
    'model.divergence.beta': 'uniform(0.5, 4)',
    'train.readEvery': 'randint(1, 3)',
  };
  // The uniform numbers of core's stream `sweep/random` under seed 7, one per path per draw.
  const u = [
    0.46443462488241494, 0.7316049877554178, 0.06123842322267592, 0.8743151763919741, 0.8878159287851304, 0.3718133317306638, 0.03753474401310086, 0.3100768052972853,
    0.7181286420673132, 0.9373177285306156, 0.11863872036337852, 0.765228271484375,
  ];
  const expected = [
    { 'optimizer.lr': 1e-4 * 100 ** u[0]!, 'model.latent': 32, 'model.divergence.beta': 0.5 + 3.5 * u[2]!, 'train.readEvery': 3 },
    { 'optimizer.lr': 1e-4 * 100 ** u[4]!, 'model.latent': 16, 'model.divergence.beta': 0.5 + 3.5 * u[6]!, 'train.readEvery': 1 },
    { 'optimizer.lr': 1e-4 * 100 ** u[8]!, 'model.latent': 32, 'model.divergence.beta': 0.5 + 3.5 * u[10]!, 'train.readEvery': 3 },
  ];
  const close = (actual: Record<string, unknown>, want: Record<string, number>) => {
    expect(Object.keys(actual)).toEqual(Object.keys(want));
    for (const [k, v] of Object.entries(want)) expect(actual[k] as number).toBeCloseTo(v, 12);
  };

  it('random: seeded draws from loguniform, choice, uniform and randint', async () => {
    const gen = new Rng(7).stream('sweep/random').nextGenerator();
    expect(Array.from({ length: 12 }, gen)).toEqual(u);
    const spec = await readSweepFile(sweepFile({ random: { trials: 3, seed: 7, space } }));
    const trials = expandTrials(spec);
    expect(trials).toHaveLength(3);
    trials.forEach((t, i) => close(t.params, expected[i]!));
    expect(trials[1]!.origins['optimizer.lr']).toBe('random.space.optimizer.lr');
    // The same seed draws the same values; another seed draws others.
    expect(expandTrials(spec)).toEqual(trials);
    const other = expandTrials(await readSweepFile(sweepFile({ random: { trials: 3, seed: 8, space } })));
    expect(other.map((t) => t.params['optimizer.lr'])).not.toEqual(trials.map((t) => t.params['optimizer.lr']));
  });

  it('grid × random: every grid point with the same draws, grid point outer', async () => {
    const spec = await readSweepFile(sweepFile({ grid: { seed: [1, 2] }, random: { trials: 3, seed: 7, space } }));
    const trials = expandTrials(spec);
    expect(trials).toHaveLength(6);
    trials.forEach((t, i) => close(t.params, { seed: i < 3 ? 1 : 2, ...expected[i % 3]! }));
    expect(trials[5]!.origins).toEqual({
      seed: 'grid.seed[1]',
      'optimizer.lr': 'random.space.optimizer.lr',
      'model.latent': 'random.space.model.latent',
      'model.divergence.beta': 'random.space.model.divergence.beta',
      'train.readEvery': 'random.space.train.readEvery',
    });
  });

  it('choice reads its values as YAML: numbers, names, lists', () => {
    expect(parseDistribution('choice(relu, softplus)', 'x').draw(0.6)).toBe('softplus');
    expect(parseDistribution('choice([300, 300], [400])', 'x').draw(0.2)).toEqual([300, 300]);
    expect(parseDistribution('randint(1, 3)', 'x').draw(0.9999)).toBe(3);
    expect(parseDistribution('loguniform(1e-4, 1e-2)', 'x').draw(0.5)).toBeCloseTo(1e-3, 15);
  });

  it('resolves every trial: base config, then --set for all, then the swept values; identical trials run once', async () => {
    const spec = await readSweepFile(
      sweepFile({ grid: { 'model.divergence.beta': [1, 4], seed: [5] }, random: { trials: 3, seed: 0, space: { 'model.latent': 'choice(6, 6)' } } }),
    );
    const { trials, duplicates } = await resolveTrials(spec, expandTrials(spec), ['train.epochs=2', 'optimizer.lr=3e-4']);
    expect(duplicates).toBe(4);
    expect(trials.map((t) => [t.config.model.divergence, t.config.seed, t.config.model.latent, t.config.train.epochs, t.config.optimizer.lr])).toEqual([
      [{ name: 'kl', beta: 1 }, 5, 6, 2, 3e-4],
      [{ name: 'kl', beta: 4 }, 5, 6, 2, 3e-4],
    ]);
    expect(trials.map((t) => t.index)).toEqual([0, 3]);
    // The hash is the resolved config's: stable, different per trial, blind to the run name.
    expect(trials[0]!.hash).toMatch(/^[0-9a-f]{12}$/);
    expect(trials[0]!.hash).not.toBe(trials[1]!.hash);
    expect(trialHash({ ...trials[0]!.config, name: 'anything' })).toBe(trials[0]!.hash);
    const again = await resolveTrials(spec, expandTrials(spec), ['optimizer.lr=3e-4', 'train.epochs=2']);
    expect(again.trials.map((t) => t.hash)).toEqual(trials.map((t) => t.hash));
  });

  it('--dry-run lists the trials and writes nothing', async () => {
    const file = sweepFile({ name: 'dry', grid: { 'model.divergence.beta': [1, 2] }, random: { trials: 2, seed: 1, space: { 'optimizer.lr': 'loguniform(1e-4, 1e-3)' } } });
    expect(await cli(file)).toBe(0);
    const lines = output.out.trim().split('\n');
    expect(lines[0]).toMatch(/^trial\s+hash\s+beta\s+lr\s+plan$/);
    expect(lines).toHaveLength(6);
    expect(lines[2]).toMatch(/^\s+1\s+[0-9a-f]{12}\s+1\s+[\d.e-]+\s+run$/);
    expect(output.err).toContain('dry run: 4 trials, all valid');
    expect(existsSync(join(dir, 'runs'))).toBe(false);
  });

  it('examples/sweep-beta.yaml expands to its 24 valid trials', async () => {
    expect(await cli(join(repoRoot, 'examples', 'sweep-beta.yaml'), { set: ['train.epochs=1'] })).toBe(0);
    expect(output.err).toContain('dry run: 24 trials, all valid');
  });
});

describe('a bad sweep file: exit 2, the exact path, nothing written', () => {
  const cases: [string, string | Record<string, unknown>, string[], string][] = [
    ['a bad grid value', { grid: { 'model.latent': [8, 0] } }, [], 'grid.model.latent[1]: expected a positive integer, got 0'],
    ['a bad grid value inside a section', { grid: { 'model.encoder.hidden': [[32], [32, -3]] } }, [], 'grid.model.encoder.hidden[1]: expected a positive integer, got -3'],
    [
      'a misspelt component in a grid',
      { grid: { 'model.likelihood': ['bernoulli', 'bernouli'] } },
      [],
      'grid.model.likelihood[1]: unknown likelihood "bernouli" — did you mean "bernoulli"?',
    ],
    [
      'a bad random draw',
      { random: { trials: 2, space: { 'model.latent': 'choice(0)' } } },
      [],
      'random.space.model.latent: expected a positive integer, got 0 (drawn for trial 1)',
    ],
    [
      'a misspelt expression',
      { random: { trials: 2, space: { 'optimizer.lr': 'logunifrom(1e-4, 1e-2)' } } },
      [],
      'random.space.optimizer.lr: unknown expression "logunifrom(…)" — did you mean "loguniform"?',
    ],
    ['bad bounds', { random: { trials: 2, space: { 'optimizer.lr': 'loguniform(0, 1e-2)' } } }, [], 'random.space.optimizer.lr: loguniform(0, 0.01): expected 0 < a < b'],
    [
      'an expression cut at a comma',
      'base: base.yaml\nmetric: { name: test/neg_elbo }\nrandom: { trials: 2, space: { model.latent: choice(4, 8) } }\n',
      [],
      'random.space.model.latent: "choice(4" is cut at a comma',
    ],
    ['a bad goal', { metric: { name: 'test/neg_elbo', goal: 'min' }, grid: { seed: [1] } }, [], 'metric.goal: expected one of "minimize", "maximize", got "min"'],
    ['a misspelt section', { gird: { seed: [1] } }, [], 'gird: unknown option — did you mean "grid"?'],
    ['an empty grid list', { grid: { seed: [] } }, [], 'grid.seed: expected at least one value'],
    ['nothing swept', {}, [], 'expected "grid", "random" or both'],
    ['a misspelt executor', { grid: { seed: [1] }, executor: 'lcoal' }, [], 'executor.name: unknown executor "lcoal" — did you mean "local"?'],
    ['a bad executor option', { grid: { seed: [1] }, executor: { name: 'local', workers: 0 } }, [], 'executor.workers: expected a positive integer, got 0'],
    ['a missing base', { base: 'nope.yaml', grid: { seed: [1] } }, [], 'nope.yaml: no such file'],
    ['--set on a swept path', { grid: { seed: [1, 2] } }, ['seed=3'], '--set seed=3: seed is swept by'],
    ['a bad --set', { grid: { seed: [1, 2] } }, ['train.epochs=0'], '--set train.epochs=0: expected a positive integer, got 0'],
  ];
  for (const [what, content, set, message] of cases) {
    it(what, async () => {
      const file = sweepFile(content);
      expect(await cli(file, { set, dryRun: false })).toBe(2);
      expect(output.err).toContain(`error: `);
      expect(output.err).toContain(message);
      if (!message.startsWith('--set') && !message.includes('base.yaml') && !message.includes('nope.yaml')) expect(output.err).toContain(`${file}: `);
      expect(existsSync(join(dir, 'runs'))).toBe(false);
    });
  }

  it('--workers 0 is refused', async () => {
    expect(await cli(sweepFile({ grid: { seed: [1] } }), { workers: 0 })).toBe(2);
    expect(output.err).toContain('--workers 0: expected a positive integer');
  });

  it('reports every problem of every trial at once', async () => {
    expect(await cli(sweepFile({ grid: { 'model.latent': [0, 8], 'optimizer.lr': [-1, 1e-3] } }))).toBe(2);
    expect(output.err).toContain('grid.model.latent[0]: expected a positive integer, got 0');
    expect(output.err).toContain('grid.optimizer.lr[0]: expected a positive number, got -1');
    expect(output.err.match(/grid\.model\.latent\[0\]/g)).toHaveLength(1);
  });
});
