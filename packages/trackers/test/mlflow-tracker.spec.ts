/**
 * tracker/mlflow against a real MLflow server (see mlflow-server.ts): what the server stored is
 * read back through its REST API.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Logger, MetricPoint, RunInfo } from '@elbo/core';
import { MlflowTracker, mlflowOptionsSchema, resolveMlflowSettings, syncMlflowRun, MlflowSpool, type MlflowOptionsInput } from '../src/index.js';
import { MlflowClient } from '../src/mlflow/mlflow-client.js';
import { MlflowHttp } from '../src/mlflow/mlflow-http.js';
import { startMlflowServer, freePort, type MlflowServer } from './mlflow-server.js';
import { startAuthProxy } from './auth-proxy.js';
import { allMetrics, api, asRecord, downloadArtifact, experimentByName, getRun, listArtifacts, searchRuns, sortMetrics } from './mlflow-rest.js';

class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  info(m: string) {
    this.lines.push(m);
  }
  warn(m: string) {
    this.lines.push(`warning: ${m}`);
  }
  debug() {}
}

let server: MlflowServer;
let root: string;
beforeAll(async () => {
  server = await startMlflowServer();
  root = mkdtempSync(join(tmpdir(), 'elbo-mlflow-tracker-'));
}, 900_000);
afterAll(async () => {
  await server?.dispose();
  if (root) rmSync(root, { recursive: true, force: true });
}, 60_000);

let n = 0;
/** A run folder with the files core would have written: artifacts, a checkpoint, config.yaml. */
function runFolder(): RunInfo {
  const runId = `run-${++n}`;
  const runDir = join(root, 'exp', runId);
  mkdirSync(join(runDir, 'artifacts', 'model'), { recursive: true });
  mkdirSync(join(runDir, 'checkpoint'), { recursive: true });
  writeFileSync(join(runDir, 'config.yaml'), `experiment: exp\nseed: ${n}\n`);
  writeFileSync(join(runDir, 'artifacts', 'samples.png'), randomBytes(5000));
  writeFileSync(join(runDir, 'artifacts', 'model', 'model.json'), '{"format":"elbo"}');
  writeFileSync(join(runDir, 'artifacts', 'model', 'weights.bin'), randomBytes(70_000));
  writeFileSync(join(runDir, 'checkpoint', 'state.json'), '{"epoch":3}');
  writeFileSync(join(runDir, 'checkpoint', 'weights-000000030.bin'), randomBytes(3000));
  return {
    runId,
    experiment: 'exp',
    runDir,
    startedAt: Date.now(),
    config: {},
    tags: { 'elbo.run_name': `name-${n}`, 'elbo.model': 'mlp/mlp+bernoulli+kl', 'elbo.backend': 'wasm', 'elbo.version': '0.1.0' },
  };
}

function tracker(options: MlflowOptionsInput, env: Record<string, string> = { MLFLOW_TRACKING_URI: server.uri }, logger = new MemoryLogger()) {
  const settings = resolveMlflowSettings(mlflowOptionsSchema.parse({ maxRetries: 2, backoffFactor: 0.2, ...options }), env);
  return { t: new MlflowTracker(settings, { logger, tagSources: { gitCommit: () => 'a'.repeat(40), user: () => 'tester' } }), logger };
}

const points = (epoch: number, t0 = 1_700_000_000_000): MetricPoint[] => [
  { key: 'train/loss', value: 200 - epoch, step: epoch, timestamp: t0 + epoch },
  { key: 'train/kl', value: epoch === 2 ? NaN : 10 + epoch, step: epoch, timestamp: t0 + epoch },
  { key: 'test/neg_elbo', value: epoch === 3 ? Infinity : 150 - epoch, step: epoch, timestamp: t0 + epoch },
];
/** The server stores ±Infinity as ±Number.MAX_VALUE (and NaN as NaN). */
const stored = (v: number) => (v === Infinity ? Number.MAX_VALUE : v === -Infinity ? -Number.MAX_VALUE : v);
const comparable = (ms: readonly { key: string; value: number; step: number; timestamp: number }[]) =>
  sortMetrics(ms.map(({ key, value, step, timestamp }) => ({ key, value: stored(value), step, timestamp })));

async function logRun(t: MlflowTracker, run: RunInfo, epochs: number[]): Promise<MetricPoint[]> {
  const logged: MetricPoint[] = [];
  for (const e of epochs) {
    await t.logMetrics(points(e));
    logged.push(...points(e));
  }
  for (const f of ['samples.png', 'model']) await t.logArtifact(f, join(run.runDir, 'artifacts', f));
  await t.logArtifact('config.yaml', join(run.runDir, 'config.yaml'));
  return logged;
}

describe('tracker/mlflow with a real MLflow server', () => {
  it('records params, metric histories (NaN, ±Infinity), tags, byte-identical artifacts with the checkpoint, FINISHED; a resumed run continues it', async () => {
    const run = runFolder();
    const { t } = tracker({ experiment: 'elbo-tracker-test' });
    await t.start(run);
    await t.logParams({ 'model.latent': 20, 'train.lr': 0.001, 'x.flag': true, 'x.none': null, 'x.long': 'y'.repeat(7000), 'x.bad@key': 'v' });
    const logged = await logRun(t, run, [1, 2, 3]);
    await expect(t.logArtifact('../escape', join(run.runDir, 'config.yaml'))).rejects.toThrow(/relative to the artifact root/);
    await expect(t.logArtifact('/abs', join(run.runDir, 'config.yaml'))).rejects.toThrow(/relative to the artifact root/);
    await t.finish('FINISHED');

    const id = t.mlflowRunId!;
    const stored = await getRun(server.uri, id);
    expect(stored.info.status).toBe('FINISHED');
    expect(stored.info.end_time).toBeGreaterThan(0);
    expect((await experimentByName(server.uri, 'elbo-tracker-test'))?.experiment_id).toBe(stored.info.experiment_id);
    const params = asRecord(stored.data.params);
    expect(params).toMatchObject({ 'model.latent': '20', 'train.lr': '0.001', 'x.flag': 'true', 'x.none': 'null', 'x.bad_key': 'v' });
    expect(params['x.long']).toBe('y'.repeat(6000));
    const tags = asRecord(stored.data.tags);
    expect(tags).toMatchObject({
      'mlflow.runName': run.tags['elbo.run_name'],
      'mlflow.user': 'tester',
      'mlflow.source.type': 'LOCAL',
      'mlflow.source.git.commit': 'a'.repeat(40),
      'elbo.model': 'mlp/mlp+bernoulli+kl',
      'elbo.backend': 'wasm',
      'elbo.run_id': run.runId,
    });
    expect(comparable(await allMetrics(server.uri, id))).toEqual(comparable(logged));

    const files = await listArtifacts(server.uri, id);
    expect(files.map((f) => f.path)).toEqual(['checkpoint/state.json', 'checkpoint/weights-000000030.bin', 'config.yaml', 'model/model.json', 'model/weights.bin', 'samples.png']);
    const local: Record<string, string> = {
      'samples.png': join(run.runDir, 'artifacts', 'samples.png'),
      'model/weights.bin': join(run.runDir, 'artifacts', 'model', 'weights.bin'),
      'config.yaml': join(run.runDir, 'config.yaml'),
      'checkpoint/weights-000000030.bin': join(run.runDir, 'checkpoint', 'weights-000000030.bin'),
    };
    for (const [path, file] of Object.entries(local)) expect((await downloadArtifact(server.uri, stored, path)).equals(readFileSync(file)), path).toBe(true);

    // Resume: the same MLflow run, params re-logged with the same values, history re-sent.
    const again = tracker({ experiment: 'elbo-tracker-test' }).t;
    await again.start(run, { history: logged.filter((p) => p.step <= 2) });
    expect(again.mlflowRunId).toBe(id);
    // The status goes through the spool too, sent in the background.
    await vi.waitFor(async () => expect((await getRun(server.uri, id)).info.status).toBe('RUNNING'), { timeout: 10_000, interval: 100 });
    await again.logParams({ 'model.latent': 20, 'train.lr': 0.001 });
    await again.logMetrics(points(4));
    await again.finish('FINISHED');
    expect((await getRun(server.uri, id)).info.status).toBe('FINISHED');
    expect(comparable(await allMetrics(server.uri, id))).toEqual(comparable([...logged, ...points(4)]));
  });

  it('nested runs: parentRunId becomes the mlflow.parentRunId tag; FAILED keeps the error', async () => {
    const parent = tracker({ experiment: 'elbo-nested' }).t;
    const prun = runFolder();
    await parent.start(prun);
    const child = tracker({ experiment: 'elbo-nested', parentRunId: parent.mlflowRunId, logCheckpoint: false }).t;
    await child.start(runFolder());
    await child.finish('FAILED', 'training diverged at step 12');
    await parent.finish('KILLED');
    const stored = await getRun(server.uri, child.mlflowRunId!);
    expect(asRecord(stored.data.tags)['mlflow.parentRunId']).toBe(parent.mlflowRunId);
    expect(asRecord(stored.data.tags)['elbo.error']).toBe('training diverged at step 12');
    expect(stored.info.status).toBe('FAILED');
    expect((await getRun(server.uri, parent.mlflowRunId!)).info.status).toBe('KILLED');
    const children = await searchRuns(server.uri, stored.info.experiment_id, `tags.mlflow.parentRunId = '${parent.mlflowRunId}'`);
    expect(children.map((r) => r.info.run_id)).toEqual([child.mlflowRunId]);
  });

  it('sends a bearer token, or basic credentials when both are set; a refused token fails start clearly; secrets are stored nowhere', async () => {
    const token = `tok-${randomBytes(8).toString('hex')}`;
    const proxy = await startAuthProxy(server.uri, `Bearer ${token}`);
    try {
      const run = runFolder();
      const { t } = tracker({ experiment: 'elbo-auth' }, { MLFLOW_TRACKING_URI: proxy.uri, MLFLOW_TRACKING_TOKEN: token });
      await t.start(run);
      await t.logParams({ a: 1 });
      await t.logMetrics(points(1));
      await t.logArtifact('samples.png', join(run.runDir, 'artifacts', 'samples.png'));
      await t.finish('FINISHED');
      expect((await getRun(server.uri, t.mlflowRunId!)).info.status).toBe('FINISHED');
      expect(new Set(proxy.seen)).toEqual(new Set([`Bearer ${token}`]));

      const wrong = tracker({ experiment: 'elbo-auth' }, { MLFLOW_TRACKING_URI: proxy.uri, MLFLOW_TRACKING_TOKEN: 'tok-wrong-secret' }).t;
      const e = (await wrong.start(runFolder()).catch((x: unknown) => x)) as Error;
      expect(e.message).toMatch(/HTTP 401: 401 Unauthorized: missing or wrong credentials/);
      expect(e.message).not.toContain('tok-wrong-secret');

      const stored = await getRun(server.uri, t.mlflowRunId!);
      const everything = [JSON.stringify(stored), ...readdirSync(join(run.runDir, 'mlflow')).map((f) => readFileSync(join(run.runDir, 'mlflow', f), 'utf8'))].join('\n');
      expect(everything).not.toContain(token);
    } finally {
      await proxy.close();
    }
    const basic = `Basic ${Buffer.from('ann:pw-s3cret').toString('base64')}`;
    const basicProxy = await startAuthProxy(server.uri, basic);
    try {
      const env = { MLFLOW_TRACKING_URI: basicProxy.uri, MLFLOW_TRACKING_TOKEN: 'tok-unused', MLFLOW_TRACKING_USERNAME: 'ann', MLFLOW_TRACKING_PASSWORD: 'pw-s3cret' };
      const { t } = tracker({ experiment: 'elbo-auth', logCheckpoint: false }, env);
      await t.start(runFolder());
      await t.finish('FINISHED');
      expect(new Set(basicProxy.seen)).toEqual(new Set([basic]));
    } finally {
      await basicProxy.close();
    }
  });

  it('fails start clearly, before anything is logged, on an unreachable server and on an unknown experiment id', async () => {
    const port = await freePort();
    const t0 = Date.now();
    const down = tracker({ startTimeout: 2 }, { MLFLOW_TRACKING_URI: `http://127.0.0.1:${port}` }).t;
    await expect(down.start(runFolder())).rejects.toThrow(
      new RegExp(`cannot reach the MLflow tracking server at http://127\\.0\\.0\\.1:${port} \\(GET experiments/get-by-name: .*ECONNREFUSED`),
    );
    expect(Date.now() - t0).toBeLessThan(8000);
    await expect(down.logMetrics(points(1))).rejects.toThrow(/start\(\) must succeed/);

    const unknown = tracker({ experimentId: '987654321' }).t;
    await expect(unknown.start(runFolder())).rejects.toThrow('MLflow experiment id "987654321" does not exist at ' + server.uri + ' (RESOURCE_DOES_NOT_EXIST)');
  });

  it('get-or-create of an experiment survives a race: two creators, and a creator that lost (RESOURCE_ALREADY_EXISTS)', async () => {
    const settings = resolveMlflowSettings(mlflowOptionsSchema.parse({}), { MLFLOW_TRACKING_URI: server.uri });
    const a = new MlflowClient(new MlflowHttp(settings));
    const b = new MlflowClient(new MlflowHttp(settings));
    const [ea, eb] = await Promise.all([a.resolveExperiment({ name: 'elbo-race' }), b.resolveExperiment({ name: 'elbo-race' })]);
    expect(ea.experiment_id).toBe(eb.experiment_id);
    // A creator whose lookup saw nothing, but someone created the experiment before its create.
    await api.post(server.uri, 'experiments/create', { name: 'elbo-race-2' });
    let lookups = 0;
    const late = new (class extends MlflowClient {
      override async getExperimentByName(name: string) {
        return lookups++ === 0 ? undefined : super.getExperimentByName(name);
      }
    })(new MlflowHttp(settings));
    const found = await late.resolveExperiment({ name: 'elbo-race-2' });
    expect(found.experiment_id).toBe((await experimentByName(server.uri, 'elbo-race-2'))!.experiment_id);
    expect(lookups).toBe(2);
    // A deleted experiment is found by name but refused with a way out.
    await api.post(server.uri, 'experiments/delete', { experiment_id: found.experiment_id });
    await expect(a.resolveExperiment({ name: 'elbo-race-2' })).rejects.toThrow(/is deleted: restore it/);
  });

  it('registers the saved model once per run, replays included', async () => {
    const run = runFolder();
    const { t } = tracker({ experiment: 'elbo-registry', registerModel: 'elbo-test-vae' });
    await t.start(run);
    await logRun(t, run, [1]);
    await t.finish('FINISHED');
    await syncMlflowRun(run.runDir, { options: { registerModel: 'elbo-test-vae' }, full: true, env: { MLFLOW_TRACKING_URI: server.uri }, logger: new MemoryLogger() });
    const versions = await api.get<{ model_versions?: { run_id: string; source: string }[] }>(server.uri, 'model-versions/search', { filter: "name='elbo-test-vae'" });
    expect(versions.model_versions?.map((v) => v.run_id)).toEqual([t.mlflowRunId]);
  });

  it('a run that ends while the server is away keeps its events; elbo sync sends them, and syncing again adds nothing', async () => {
    const run = runFolder();
    const { t, logger } = tracker({ experiment: 'elbo-outage', flushTimeout: 2 });
    await t.start(run);
    await t.logParams({ 'model.latent': 20 });
    const logged = [...points(1)];
    await t.logMetrics(points(1));
    await server.stop();
    try {
      for (const e of [2, 3]) {
        await t.logMetrics(points(e));
        logged.push(...points(e));
      }
      await t.logArtifact('samples.png', join(run.runDir, 'artifacts', 'samples.png'));
      await t.finish('FINISHED'); // resolves: the events stay in the spool
      expect(logger.lines.join('\n')).toMatch(/events not sent are kept in .*spool\.jsonl: `elbo sync .*` sends them when the server is back/);
      expect((await MlflowSpool.open(run.runDir)).pending().length).toBeGreaterThan(0);
      await expect(syncMlflowRun(run.runDir, { options: { maxRetries: 0 }, env: { MLFLOW_TRACKING_URI: server.uri }, logger })).rejects.toThrow(
        /cannot reach.*events not sent stay in/,
      );
    } finally {
      await server.start();
    }
    const env = { MLFLOW_TRACKING_URI: server.uri };
    const first = await syncMlflowRun(run.runDir, { options: {}, env, logger });
    expect(first.sent).toBeGreaterThan(0);
    expect((await MlflowSpool.open(run.runDir)).pending()).toEqual([]);
    const id = t.mlflowRunId!;
    expect((await getRun(server.uri, id)).info.status).toBe('FINISHED');
    expect(comparable(await allMetrics(server.uri, id))).toEqual(comparable(logged));
    expect((await syncMlflowRun(run.runDir, { options: {}, env, logger })).sent).toBe(0);
    for (let i = 0; i < 2; i++) await syncMlflowRun(run.runDir, { options: {}, full: true, env, logger });
    expect(comparable(await allMetrics(server.uri, id))).toEqual(comparable(logged));
    expect((await listArtifacts(server.uri, id)).map((f) => f.path)).toContain('samples.png');
  });
});
