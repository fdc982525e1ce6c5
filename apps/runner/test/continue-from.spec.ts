import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readMetrics, readStatus } from '@elbo/trackers';
import { checkpointEpoch, elboBin, repoRoot, tempDir, writeConfig } from './helpers.js';

const settings = {
  data: { name: 'mnist', binarize: 'dynamic', limit: { train: 2000, test: 300 } },
  train: { epochs: 4, batchSize: 50 },
  eval: { k: 5 },
};

function elbo(args: string[]) {
  return spawnSync(process.execPath, [elboBin, ...args], { cwd: repoRoot, encoding: 'utf8' });
}

function trained(args: string[]): string {
  const r = elbo(args);
  if (r.status !== 0) throw new Error(`elbo ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r.stdout.trim();
}

const comparable = (runDir: string) => readMetrics(runDir).map(({ key, value, step }) => ({ key, value, step }));

describe('elbo train --continue-from', () => {
  it('trains a finished run on as a new run that ends where one run of the full length ends, and keeps the source', () => {
    const dir = tempDir();
    const file = writeConfig(dir, settings);
    const reference = trained(['train', file]);
    const short = trained(['train', file, '--set', 'train.epochs=2']);
    const before = readFileSync(join(short, 'config.yaml'), 'utf8');

    // Stopped on the way (as at a rung, or by Ctrl-C) and resumed, as any run.
    const r = elbo(['train', '--continue-from', short, '--set', 'train.epochs=4', '--set', 'experiment=longer', '--until-epoch', '3']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('after epoch 2 (step 80), to epoch 4');
    const longer = r.stdout.trim();
    expect(longer).not.toBe(short);
    expect(longer).toContain(join('runs', 'longer'));
    expect(checkpointEpoch(longer)).toBe(3);
    expect(trained(['train', '--resume', longer])).toBe(longer);

    // The same history as the 4-epoch run from the start: its first two epochs, the two trained on, the final evaluation.
    expect(comparable(longer)).toEqual(comparable(reference));
    expect(comparable(longer).filter((m) => m.key === 'train/loss')).toHaveLength(4);
    expect(checkpointEpoch(longer)).toBe(4);
    expect(readStatus(longer)?.status).toBe('FINISHED');
    expect((parse(readFileSync(join(longer, 'config.yaml'), 'utf8')) as { train: { epochs: number } }).train.epochs).toBe(4);
    // It names its source among its params; the source's are its own.
    const params = (run: string) => JSON.parse(readFileSync(join(run, 'params.json'), 'utf8')) as Record<string, unknown>;
    expect(params(longer)['continued_from']).toBe(short);
    expect(params(longer)['train.epochs']).toBe(4);
    expect(params(short)['continued_from']).toBeUndefined();

    // The source run is untouched.
    expect(readFileSync(join(short, 'config.yaml'), 'utf8')).toBe(before);
    expect(checkpointEpoch(short)).toBe(2);
    expect(readStatus(short)?.status).toBe('FINISHED');
  });

  it('refuses a change of model or a budget the run has already reached, and leaves no run folder', () => {
    const dir = tempDir();
    const file = writeConfig(dir, { ...settings, train: { epochs: 1, batchSize: 50 } });
    const source = trained(['train', file]);
    const runs = join(dir, 'runs', 'test');
    const folders = readdirSync(runs).length;

    const model = elbo(['train', '--continue-from', source, '--set', 'train.epochs=3', '--set', 'model.latent=4']);
    expect(model.status).toBe(2);
    expect(model.stderr).toContain('may change train.epochs, runs, experiment, name and tracking (got --set model.latent=4)');

    const reached = elbo(['train', '--continue-from', source]);
    expect(reached.status).toBe(2);
    expect(reached.stderr).toContain(`${source}: its checkpoint is after epoch 1, and train.epochs is 1; continue it with --set train.epochs=N, N above 1`);

    const both = elbo(['train', file, '--continue-from', source]);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('give no config file and no --resume with it');

    const missing = elbo(['train', '--continue-from', join(dir, 'nope')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(`${join(dir, 'nope')}: no such run folder`);

    expect(readdirSync(runs)).toHaveLength(folders);
  });
});
