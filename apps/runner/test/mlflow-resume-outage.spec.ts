/**
 * A run resumed while the MLflow server is away goes on as a running one does: a real `elbo train`
 * is killed after epoch 1 of 2, the server is stopped, `elbo train --resume` finishes the run with
 * its events in the spool, and after the server is back `elbo sync` delivers them — each metric
 * point exactly once, the run FINISHED. Read back through the REST API.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { MlflowSpool, readMetrics, readStatus } from '@elbo/trackers';
import { allMetrics, experimentByName, getRun, searchRuns, sortMetrics } from '@elbo/trackers/testing';
import { syncCommand } from '../src/commands/sync.js';
import { checkpointEpoch, elboBin, repoRoot, writeConfig } from './helpers.js';
import { cleanEnv, mlflowFixture } from './mlflow-helpers.js';

const mlflow = mlflowFixture();

function elbo(args: string[], until?: (child: ReturnType<typeof spawn>) => Promise<void>): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [elboBin, ...args], { cwd: repoRoot, env: cleanEnv({ MLFLOW_TRACKING_URI: mlflow.server.uri }) });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  void until?.(child);
  return done;
}

/** Kills the run once its first epoch's checkpoint is written (the epoch's metrics are logged before). */
async function killAfterEpoch1(runsDir: string, child: ReturnType<typeof spawn>): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const dir = existsSync(runsDir) ? readdirSync(runsDir).map((d) => join(runsDir, d))[0] : undefined;
    if (dir && checkpointEpoch(dir) >= 1 && readMetrics(dir).some((p) => p.key === 'train/loss' && p.step === 1)) {
      child.kill('SIGKILL');
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

const stored = (v: number) => (v === Infinity ? Number.MAX_VALUE : v === -Infinity ? -Number.MAX_VALUE : v);
const comparable = (ms: readonly { key: string; value: number; step: number; timestamp: number }[]) =>
  sortMetrics(ms.map(({ key, value, step, timestamp }) => ({ key, value: stored(value), step, timestamp })));

describe('tracker/mlflow: --resume while the server is away', () => {
  it('the resumed run finishes with its events spooled; `elbo sync` delivers each point once and the run ends FINISHED', async () => {
    const dir = mlflow.scratch('elbo-mlflow-resume-away-');
    const file = writeConfig(dir, {
      data: { name: 'mnist', binarize: 'dynamic', limit: { train: 3000, test: 200 } },
      model: { latent: 10, encoder: { name: 'mlp', hidden: [200] }, decoder: { name: 'mlp', hidden: [200] } },
      train: { epochs: 2, batchSize: 20 },
      eval: { k: 5 },
      tracking: { local: {}, console: { bar: 'never', interval: 60 }, mlflow: { experiment: 'vae-resume-away', startTimeout: 3, flushTimeout: 2 } },
    });
    const runsDir = join(dir, 'runs', 'test');
    const first = await elbo(['train', file], (child) => killAfterEpoch1(runsDir, child));
    expect(first.signal, first.stderr).toBe('SIGKILL');
    const runDir = join(runsDir, readdirSync(runsDir)[0]!);
    const e = await experimentByName(mlflow.server.uri, 'vae-resume-away');
    const [run] = await searchRuns(mlflow.server.uri, e!.experiment_id, `tags.\`elbo.run_id\` = '${runDir.split('/').pop()}'`);
    const id = run!.info.run_id;

    await mlflow.server.stop();
    let resumed: Awaited<ReturnType<typeof elbo>>;
    try {
      resumed = await elbo(['train', '--resume', runDir]);
    } finally {
      await mlflow.server.start();
    }
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/mlflow: cannot reach the MLflow tracking server .*; training goes on, events are kept in .*spool\.jsonl/);
    expect(resumed.stderr).toContain(`events not sent are kept in ${runDir}/mlflow/spool.jsonl`);
    expect(readStatus(runDir)?.status).toBe('FINISHED');
    const local = readMetrics(runDir);
    expect(local.filter((p) => p.key === 'train/loss').map((p) => p.step)).toEqual([1, 2]);
    expect((await MlflowSpool.open(runDir)).pending().length).toBeGreaterThan(0);
    expect((await getRun(mlflow.server.uri, id)).info.status).toBe('RUNNING'); // the server saw none of the resume yet

    vi.stubEnv('MLFLOW_TRACKING_URI', mlflow.server.uri);
    try {
      expect(await syncCommand({ runDir, full: false })).toBe(0);
    } finally {
      vi.unstubAllEnvs();
    }
    expect((await MlflowSpool.open(runDir)).pending()).toEqual([]);
    expect((await getRun(mlflow.server.uri, id)).info.status).toBe('FINISHED');
    expect(comparable(await allMetrics(mlflow.server.uri, id))).toEqual(comparable(local));
  });
});
