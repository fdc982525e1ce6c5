/**
 * Nothing is lost when the MLflow server goes away: the server is stopped in the middle of a real
 * `elbo train` and started again (same port, same SQLite file); a run that ends while it is away is
 * sent later by `elbo sync`, and syncing again adds nothing. Read back through the REST API.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { MlflowSpool, readMetrics, readStatus } from '@elbo/trackers';
import { allMetrics, experimentByName, getRun, listArtifacts, searchRuns, sortMetrics } from '@elbo/trackers/testing';
import { syncCommand } from '../src/commands/sync.js';
import { elboBin, repoRoot, writeConfig } from './helpers.js';
import { cleanEnv, mlflowFixture } from './mlflow-helpers.js';

const mlflow = mlflowFixture();
const scratch = (prefix: string) => mlflow.scratch(prefix);

function train(file: string, sets: string[]): { child: ChildProcessWithoutNullStreams; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const args = [elboBin, 'train', file, ...sets.flatMap((s) => ['--set', s])];
  const child = spawn(process.execPath, args, { cwd: repoRoot, env: cleanEnv({ MLFLOW_TRACKING_URI: mlflow.server.uri }) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

/** Waits until the run folder's metrics.jsonl has `train/loss` at `epoch` (or the process ended). */
async function untilEpoch(runsDir: string, epoch: number, child: ChildProcessWithoutNullStreams): Promise<string> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const dir = existsSync(runsDir) ? readdirSync(runsDir).map((d) => join(runsDir, d))[0] : undefined;
    if (dir && readMetrics(dir).some((p) => p.key === 'train/loss' && p.step >= epoch)) return dir;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the run did not reach epoch ${epoch}`);
}

/** The server stores ±Infinity as ±Number.MAX_VALUE. */
const stored = (v: number) => (v === Infinity ? Number.MAX_VALUE : v === -Infinity ? -Number.MAX_VALUE : v);
const comparable = (ms: readonly { key: string; value: number; step: number; timestamp: number }[]) =>
  sortMetrics(ms.map(({ key, value, step, timestamp }) => ({ key, value: stored(value), step, timestamp })));

async function mlflowRunOf(experiment: string, runDir: string): Promise<string> {
  const e = await experimentByName(mlflow.server.uri, experiment);
  const runs = await searchRuns(mlflow.server.uri, e!.experiment_id, `tags.\`elbo.run_id\` = '${runDir.split('/').pop()}'`);
  expect(runs).toHaveLength(1);
  return runs[0]!.info.run_id;
}

const settings = {
  data: { name: 'mnist', binarize: 'dynamic', limit: { train: 2000, test: 300 } },
  model: { latent: 10, encoder: { name: 'mlp', hidden: [200] }, decoder: { name: 'mlp', hidden: [200] } },
  eval: { k: 5 },
};

describe('tracker/mlflow when the server goes away', () => {
  it('server stopped after epoch 2 and restarted a few epochs later: MLflow ends with every metric point exactly once', async () => {
    const dir = scratch('elbo-mlflow-outage-');
    // Epochs enough that the run is still training once the server is down: stopping it takes
    // seconds (its process group must exit), and 8 epochs once finished within that on the native backend.
    const EPOCHS = 20;
    const file = writeConfig(dir, { ...settings, train: { epochs: EPOCHS, batchSize: 20 } });
    const { child, done } = train(file, ['tracking.mlflow.experiment=vae-outage']);
    const runsDir = join(dir, 'runs', 'test');
    const runDir = await untilEpoch(runsDir, 2, child);
    await mlflow.server.stop();
    const stoppedAt = Math.max(...readMetrics(runDir).map((p) => p.step));
    await untilEpoch(runsDir, Math.min(stoppedAt + 2, EPOCHS - 2), child);
    await mlflow.server.start();
    const r = await done;
    expect(r.code, r.stderr).toBe(0);
    expect(stoppedAt).toBeLessThan(EPOCHS); // the server really went away mid-run
    expect(r.stderr).toMatch(/mlflow: cannot reach the MLflow tracking server .*; training goes on, events are kept in .*spool\.jsonl/);
    expect(r.stderr).not.toMatch(/events not sent/);
    expect(readStatus(runDir)?.status).toBe('FINISHED');
    expect((await MlflowSpool.open(runDir)).pending()).toEqual([]);

    const id = await mlflowRunOf('vae-outage', runDir);
    expect((await getRun(mlflow.server.uri, id)).info.status).toBe('FINISHED');
    const local = readMetrics(runDir);
    expect(local.filter((p) => p.key === 'train/loss').map((p) => p.step)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
    expect(comparable(await allMetrics(mlflow.server.uri, id))).toEqual(comparable(local));
    const artifacts = (await listArtifacts(mlflow.server.uri, id)).map((f) => f.path);
    expect(artifacts).toEqual(expect.arrayContaining(['samples.png', 'model/weights.bin', 'config.yaml']));
    // The last checkpoint arrives whole: its weights, its state and, written last, its manifest.
    for (const part of [/^checkpoint\/weights-\d+\.bin$/, /^checkpoint\/state-\d+-[0-9a-f]+\.json$/, /^checkpoint\/manifest-\d+\.json$/])
      expect(artifacts.some((p) => part.test(p))).toBe(true);
  });

  it('a run that ends while the server is away: `elbo sync` sends the rest; syncing again adds nothing', async () => {
    const dir = scratch('elbo-mlflow-sync-');
    const file = writeConfig(dir, { ...settings, train: { epochs: 3, batchSize: 50 } });
    const { child, done } = train(file, ['tracking.mlflow.experiment=vae-sync', 'tracking.mlflow.flushTimeout=2']);
    const runDir = await untilEpoch(join(dir, 'runs', 'test'), 1, child);
    await mlflow.server.stop();
    let r: Awaited<typeof done>;
    try {
      r = await done;
    } finally {
      await mlflow.server.start();
    }
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`events not sent are kept in ${runDir}/mlflow/spool.jsonl: \`elbo sync ${runDir}\` sends them when the server is back`);
    expect((await MlflowSpool.open(runDir)).pending().length).toBeGreaterThan(0);

    vi.stubEnv('MLFLOW_TRACKING_URI', mlflow.server.uri);
    try {
      expect(await syncCommand({ runDir, full: false })).toBe(0);
      expect((await MlflowSpool.open(runDir)).pending()).toEqual([]);
      const id = await mlflowRunOf('vae-sync', runDir);
      expect((await getRun(mlflow.server.uri, id)).info.status).toBe('FINISHED');
      const local = comparable(readMetrics(runDir));
      expect(comparable(await allMetrics(mlflow.server.uri, id))).toEqual(local);
      const artifacts = await listArtifacts(mlflow.server.uri, id);
      // Twice more, replaying everything: nothing is duplicated.
      expect(await syncCommand({ runDir, full: true })).toBe(0);
      expect(await syncCommand({ runDir, full: true })).toBe(0);
      expect(comparable(await allMetrics(mlflow.server.uri, id))).toEqual(local);
      expect(await listArtifacts(mlflow.server.uri, id)).toEqual(artifacts);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
