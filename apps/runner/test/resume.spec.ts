import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMetrics, readStatus } from '@elbo/trackers';
import { checkpointEpoch, elboBin, repoRoot, tempDir, writeConfig } from './helpers.js';

const settings = {
  data: { name: 'mnist', binarize: 'dynamic', limit: { train: 2000, test: 300 } },
  train: { epochs: 5, batchSize: 50 },
  eval: { k: 5 },
};

function elbo(args: string[]) {
  const r = spawnSync(process.execPath, [elboBin, ...args], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`elbo ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r.stdout.trim();
}

const comparable = (runDir: string) => readMetrics(runDir).map(({ key, value, step }) => ({ key, value, step }));

describe('elbo train --resume', () => {
  it('after kill -9, ends with the same metric history as an uninterrupted run', async () => {
    const dir = tempDir();
    const file = writeConfig(dir, settings);
    const reference = elbo(['train', file]);

    // Start the same run, and kill it hard once its first checkpoint exists (mid-training).
    const child = spawn(process.execPath, [elboBin, 'train', file], { cwd: repoRoot, stdio: 'ignore' });
    const runsDir = join(dir, 'runs', 'test');
    let runDir: string | undefined;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      runDir = readdirSync(runsDir)
        .map((d) => join(runsDir, d))
        .find((d) => d !== reference && existsSync(join(d, 'config.yaml')));
      if (runDir && checkpointEpoch(runDir) >= 1) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(runDir).toBeDefined();
    const killedAt = checkpointEpoch(runDir!);
    expect(killedAt).toBeGreaterThanOrEqual(1);
    expect(killedAt).toBeLessThan(5); // it really was interrupted
    expect(readStatus(runDir!)?.status).toBe('RUNNING'); // kill -9 leaves no chance to record an end

    expect(elbo(['train', '--resume', runDir!])).toBe(runDir);
    expect(readStatus(runDir!)?.status).toBe('FINISHED');
    expect(comparable(runDir!)).toEqual(comparable(reference));
    expect(comparable(reference).filter((m) => m.key === 'train/loss')).toHaveLength(5);
  });

  it('refuses to change a resumed run with --set, and names a missing run folder', () => {
    const r = spawnSync(process.execPath, [elboBin, 'train', '--resume', '/nonexistent/run', '--set', 'seed=2'], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--set cannot change it');
    const r2 = spawnSync(process.execPath, [elboBin, 'train', '--resume', '/nonexistent/run'], { cwd: repoRoot, encoding: 'utf8' });
    expect(r2.status).toBe(2);
    expect(r2.stderr).toContain('/nonexistent/run: no such run folder');
  });
});
