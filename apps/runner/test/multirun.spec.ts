import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { readMetrics, readStatus } from '@elbo/trackers';
import { main } from '../src/main.js';
import type { SweepState } from '../src/sweep/sweep-folder.js';
import { splitTopLevel } from '../src/sweep/multirun-spec.js';
import { captureOutput, smallMnist, tempDir, writeConfig } from './helpers.js';

/** Small real trials: 600 MNIST digits, one epoch, a 784-32-8 MLP, no IWAE. */
const small = smallMnist(600, 32, 1);

const output = captureOutput();

describe('comma lists of --multirun', () => {
  it('split at top-level commas only, not inside [...], {...} or quotes', () => {
    expect(splitTopLevel('8,16')).toEqual(['8', '16']);
    expect(splitTopLevel('[1, 2],[3,4]')).toEqual(['[1, 2]', '[3,4]']);
    expect(splitTopLevel('{name: mlp, hidden: [64, 64]}')).toEqual(['{name: mlp, hidden: [64, 64]}']);
    expect(splitTopLevel('"a,b",c')).toEqual(['"a,b"', 'c']);
    expect(splitTopLevel('[400, 400]')).toEqual(['[400, 400]']);
    expect(splitTopLevel('3e-4')).toEqual(['3e-4']);
  });
});

describe('elbo train --multirun', () => {
  const dir = tempDir('elbo-multirun-');
  const file = writeConfig(dir, small);
  const runs = join(dir, 'runs', 'test');

  it('without --multirun, a comma value keeps its meaning: one value, here a bad one', async () => {
    expect(await main(['validate', file, '--set', 'model.latent=4,8'])).toBe(2);
    expect(output.err).toContain('--set model.latent=4,8: expected a positive integer, got "4,8"');
  });

  it('a bad value in a list names its --set and position; nothing is run or written', async () => {
    expect(await main(['train', file, '--multirun', '--set', 'model.latent=4,0'])).toBe(2);
    expect(output.err).toContain('--set model.latent=4,0 (value 2): expected a positive integer, got 0');
    expect(output.err).not.toMatch(/\n\s+at /);
    expect(existsSync(runs)).toBe(false);
  });

  it('refuses --multirun without a comma list, and --workers without --multirun', async () => {
    expect(await main(['train', file, '--multirun', '--set', 'seed=4'])).toBe(2);
    expect(output.err).toContain('no --set has a comma list');
    expect(await main(['train', file, '--workers', '2'])).toBe(2);
    expect(output.err).toContain('--workers and --metric belong to --multirun');
    expect(existsSync(runs)).toBe(false);
  });

  it('a 2×1 grid runs both trials through the sweep machinery and writes the summary', async () => {
    expect(await main(['train', file, '--multirun', '--set', 'model.latent=4,6', '--set', 'seed=7,', '--workers', '2'])).toBe(2); // an empty value
    expect(output.err).toContain('--set seed=7,: an empty value in the comma list');
    output.clear();

    expect(await main(['train', file, '--multirun', '--set', 'model.latent=4,6', '--set', 'seed=7', '--set', 'optimizer.lr=2e-3', '--workers', '2'])).toBe(0);
    const sweeps = readdirSync(join(runs, 'sweeps'));
    expect(sweeps).toHaveLength(1);
    expect(sweeps[0]).toMatch(/^config-[0-9a-f]{8}$/);
    const sweepDir = join(runs, 'sweeps', sweeps[0]!);
    const state = JSON.parse(readFileSync(join(sweepDir, 'state.json'), 'utf8')) as SweepState;
    expect(state.metric).toEqual({ name: 'final/neg_elbo', goal: 'minimize' });
    expect(state.trials.map((t) => [t.params['model.latent'], t.status])).toEqual([
      [4, 'FINISHED'],
      [6, 'FINISHED'],
    ]);
    for (const t of state.trials) {
      expect(readStatus(t.runDir!)?.status).toBe('FINISHED');
      const config = parseYaml(readFileSync(join(t.runDir!, 'config.yaml'), 'utf8')) as { seed: number; optimizer: { lr: number }; model: { latent: number } };
      expect([config.seed, config.optimizer.lr, config.model.latent]).toEqual([7, 0.002, t.params['model.latent']]);
    }
    // The summary, as `elbo sweep` writes it: the table on stdout, the CSV and the plot.
    const csv = readFileSync(join(sweepDir, 'summary.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('rank,trial,model.latent,status,final/neg_elbo,run_dir,reason');
    expect(csv).toHaveLength(3);
    for (const line of csv.slice(1)) {
      const [, , , status, value, runDir] = line.split(',');
      expect(status).toBe('FINISHED');
      expect(Number(value)).toBe(readMetrics(runDir!).find((p) => p.key === 'final/neg_elbo')!.value);
    }
    expect([...readFileSync(join(sweepDir, 'summary.png')).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(output.out).toMatch(/^rank\s+trial\s+latent\s+status\s+final\/neg_elbo/);
    expect(output.out).toContain('best: trial ');

    // The same command again: both trials finished before, nothing runs.
    output.clear();
    expect(await main(['train', file, '--multirun', '--set', 'model.latent=4,6', '--set', 'seed=7', '--set', 'optimizer.lr=2e-3'])).toBe(0);
    expect(output.err).toContain('2 trials — 2 finished before, 0 to resume, 0 to run');
  }, 240_000);
});
