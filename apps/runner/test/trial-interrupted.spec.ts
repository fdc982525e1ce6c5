import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { readMetrics, readStatus } from '@elbo/trackers';
import { trialCommand } from '../src/sweep/trial-worker.js';
import { elboBin, repoRoot, tempDir, writeConfig } from './helpers.js';

/** A run folder as `elbo train` leaves it when killed before its first checkpoint: its config, perhaps a status, nothing else. */
function killedEarly(runs: string, id: string, config: string, status?: string): string {
  const dir = join(runs, id);
  mkdirSync(join(dir, 'artifacts'), { recursive: true });
  copyFileSync(config, join(dir, 'config.yaml'));
  if (status) writeFileSync(join(dir, 'status.json'), JSON.stringify({ status, startedAt: Date.now() }));
  return dir;
}

describe('a trial whose process died before its first checkpoint', () => {
  it('is resumed in its run folder by the worker that takes its job again, not started in a second one', async () => {
    const dir = tempDir();
    const runs = join(dir, 'runs', 'test');
    const trial = join(dir, 'trial.yaml');
    writeFileSync(trial, stringify({ name: 'lr-0.001', runs: join(dir, 'runs'), experiment: 'test' }));
    const config = join(dir, 'saved.yaml');
    writeFileSync(config, stringify({ name: 'lr-0.001' }));
    const payload = { id: 't1', key: 'k1', args: ['train', 'trial.yaml'], cwd: dir, logFile: join(dir, 'log') };

    expect((await trialCommand(payload)).args).toEqual(['train', 'trial.yaml']); // no run folder yet: a new run
    const running = killedEarly(runs, '20260101-000000-aaaa', config, 'RUNNING');
    expect((await trialCommand(payload)).args).toEqual(['train', '--resume', running]);
    const unstarted = killedEarly(runs, '20260101-000001-bbbb', config);
    expect((await trialCommand(payload)).args).toEqual(['train', '--resume', unstarted]);
    killedEarly(runs, '20260101-000002-cccc', config, 'FAILED');
    expect((await trialCommand(payload)).args).toEqual(['train', 'trial.yaml']); // a failure runs again from the start
    killedEarly(runs, '20260101-000003-dddd', config, 'FINISHED');
    expect((await trialCommand(payload)).finished).toBe(join(runs, '20260101-000003-dddd'));
  });

  it('`elbo train --resume` on such a folder trains it from the start in place, as a new run would', () => {
    const dir = tempDir();
    const file = writeConfig(dir, { data: { name: 'mnist', binarize: 'dynamic', limit: { train: 1000, test: 200 } }, train: { epochs: 2, batchSize: 50 }, eval: { k: 5 } });
    const run = (args: string[]) => spawnSync(process.execPath, [elboBin, ...args], { cwd: repoRoot, encoding: 'utf8' });
    const reference = run(['train', file]);
    expect(reference.status, reference.stderr).toBe(0);
    const refDir = reference.stdout.trim();
    const runs = join(dir, 'runs', 'test');
    const early = killedEarly(runs, '20990101-000000-eeee', join(refDir, 'config.yaml'), 'RUNNING');

    const resumed = run(['train', '--resume', early]);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout.trim()).toBe(early);
    expect(readdirSync(runs).sort()).toEqual([refDir.split('/').at(-1), '20990101-000000-eeee'].sort());
    expect(readStatus(early)?.status).toBe('FINISHED');
    const comparable = (d: string) => readMetrics(d).map(({ key, value, step }) => ({ key, value, step }));
    expect(comparable(early)).toEqual(comparable(refDir));
  });
});
