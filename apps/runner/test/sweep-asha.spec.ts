import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError } from '@elbo/core';
import { readMetrics, readStatus } from '@elbo/trackers';
import { sweepCommand } from '../src/commands/sweep.js';
import { main } from '../src/main.js';
import { promote } from '../src/sweep/asha.js';
import type { SweepState } from '../src/sweep/sweep-folder.js';
import { captureOutput, checkpointEpoch, smallMnist, tempDir, writeConfig } from './helpers.js';

const output = captureOutput();

describe('successive halving at one rung', () => {
  const e = (hash: string, index: number, value: number | undefined) => ({ hash, index, value });
  it('keeps the best ⌊n/eta⌋ (at least one), ties in trial order, never a trial without a finite value', () => {
    const entries = [e('a', 0, 5), e('b', 1, 3), e('c', 2, 3), e('d', 3, Number.NaN), e('f', 4, undefined), e('g', 5, 1)];
    expect([...promote(entries, 3, 'minimize')]).toEqual(['g', 'b']);
    expect([...promote(entries, 3, 'maximize')]).toEqual(['a', 'b']);
    expect([...promote(entries.slice(0, 2), 3, 'minimize')]).toEqual(['b']);
    expect([...promote([e('d', 0, Number.NaN)], 2, 'minimize')]).toEqual([]);
  });
});

describe('elbo sweep with scheduler: asha on the local executor', () => {
  const dir = tempDir('elbo-sweep-asha-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // Eager steps: on the native backend compiling a step costs seconds more than these trials train.
  writeConfig(dir, { ...smallMnist(200, 16, 2), train: { epochs: 2, batchSize: 100, compile: 'off' }, experiment: 'test' }, 'base.yaml');
  const runs = join(dir, 'runs', 'test');
  const sweepDir = join(runs, 'sweeps', 'asha');
  const file = join(dir, 'asha.yaml');
  const sweep = (scheduler: Record<string, unknown>) =>
    stringify({
      name: 'asha',
      base: 'base.yaml',
      metric: { name: 'test/neg_elbo', goal: 'minimize' },
      grid: { 'optimizer.lr': [0.0003, 0.003, 0.01] },
      scheduler: { name: 'asha', ...scheduler },
      executor: { name: 'local', workers: 2 },
    });
  writeFileSync(file, sweep({ rungs: [1, 2], eta: 3 }));
  const state = () => JSON.parse(readFileSync(join(sweepDir, 'state.json'), 'utf8')) as SweepState;
  const history = (runDir: string, key: string) => readMetrics(runDir).filter((p) => p.key === key);

  it('refuses rungs the trials cannot stop at, before anything runs', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, sweep({ rungs: [1, 5], eta: 1 }));
    await expect(sweepCommand({ file: bad, set: [], dryRun: false })).rejects.toThrow(/scheduler\.eta: expected a number above 1/);
    writeFileSync(bad, sweep({ rungs: [1, 5] }));
    await expect(sweepCommand({ file: bad, set: [], dryRun: false })).rejects.toThrow(ConfigError);
    await expect(sweepCommand({ file: bad, set: [], dryRun: false })).rejects.toThrow(/scheduler\.rungs: 5 is beyond train\.epochs \(2\)/);
  });

  it('runs every trial to the first rung, continues the best 1/eta from its checkpoint, stops the others with their metrics kept', async () => {
    expect(await sweepCommand({ file, set: [], dryRun: false })).toBe(0);
    const trials = state().trials;
    // The decision at rung 1, checked against the metrics in the run folders.
    const atRung = trials.map((t) => history(t.runDir!, 'test/neg_elbo').find((p) => p.step === 1)?.value ?? NaN);
    const best = atRung.indexOf(Math.min(...atRung));
    expect(trials.map((t) => t.status)).toEqual(trials.map((_, i) => (i === best ? 'FINISHED' : 'STOPPED')));
    for (const [i, t] of trials.entries()) {
      const steps = history(t.runDir!, 'train/loss').map((p) => p.step);
      if (i === best) {
        expect(steps).toEqual([1, 2]); // resumed once, no epoch twice
        expect(readStatus(t.runDir!)?.status).toBe('FINISHED');
      } else {
        expect(t.rung).toBe(1);
        expect(t.reason).toMatch(/^stopped at rung 1: test\/neg_elbo [\d.]+ is not among the best 1 of 3 \(eta 3\)$/);
        expect(steps).toEqual([1]); // its metrics are kept; it stopped where the rung is
        expect(readStatus(t.runDir!)?.status).toBe('KILLED'); // resumable
        expect(checkpointEpoch(t.runDir!)).toBe(1);
      }
    }
    const csv = readFileSync(join(sweepDir, 'summary.csv'), 'utf8');
    expect(csv.split('\n')[0]).toBe('rank,trial,optimizer.lr,status,stopped_at,test/neg_elbo,run_dir,reason');
    expect(csv.match(/,STOPPED,1,/g)).toHaveLength(2);
    expect(output.out).toMatch(/stopped_at/);
  });

  it('a re-run takes the same decisions from the run folders and starts nothing', async () => {
    const before = readFileSync(join(sweepDir, 'summary.csv'), 'utf8');
    const logs = state().trials.map((t) => readFileSync(join(sweepDir, 'logs', `${t.hash}.log`), 'utf8'));
    expect(await sweepCommand({ file, set: [], dryRun: false })).toBe(0);
    expect(readFileSync(join(sweepDir, 'summary.csv'), 'utf8')).toBe(before);
    expect(state().trials.map((t) => readFileSync(join(sweepDir, 'logs', `${t.hash}.log`), 'utf8'))).toEqual(logs);
  });

  it('the trial continued from its rung has the metric history of an uninterrupted run', async () => {
    const t = state().trials.find((r) => r.status === 'FINISHED')!;
    const other = join(dir, 'uninterrupted');
    expect(await main(['train', join(sweepDir, 'trials', `${t.hash}.yaml`), '--set', `runs=${other}`])).toBe(0);
    const plain = output.out.trim().split('\n').pop()!;
    const curve = (runDir: string) =>
      readMetrics(runDir)
        .filter((p) => /^(train|test|final)\//.test(p.key))
        .map((p) => [p.key, p.step, p.value]);
    expect(curve(t.runDir!)).toEqual(curve(plain));
  });
});
