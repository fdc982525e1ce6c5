/**
 * `elbo train` with tracker/mlflow against a real MLflow server (`@elbo/trackers/testing`):
 * everything is read back through the server's REST API and compared with the run folder.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readArtifactIndex, readMetrics, readParams } from '@elbo/trackers';
import { allMetrics, asRecord, downloadArtifact, experimentByName, freePort, getRun, listArtifacts, searchRuns, sortMetrics } from '@elbo/trackers/testing';
import { elboBin, repoRoot, writeConfig } from './helpers.js';
import { cleanEnv, mlflowFixture } from './mlflow-helpers.js';

const mlflow = mlflowFixture();
const scratch = (prefix: string) => mlflow.scratch(prefix);

function elbo(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [elboBin, ...args], { cwd: repoRoot, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The server stores ±Infinity as ±Number.MAX_VALUE. */
const stored = (v: number) => (v === Infinity ? Number.MAX_VALUE : v === -Infinity ? -Number.MAX_VALUE : v);
const comparable = (ms: readonly { key: string; value: number; step: number; timestamp: number }[]) =>
  sortMetrics(ms.map(({ key, value, step, timestamp }) => ({ key, value: stored(value), step, timestamp })));

const small = {
  data: { name: 'mnist', binarize: 'dynamic', limit: { train: 1000, test: 200 } },
  train: { epochs: 3, batchSize: 50 },
  eval: { k: 5 },
};

describe('elbo train with tracker/mlflow', () => {
  it('a full training run, seen through the server: params, metric histories, tags, FINISHED, byte-identical artifacts', async () => {
    const dir = scratch('elbo-mlflow-train-');
    const file = writeConfig(dir, small);
    const r = await elbo(['train', file, '--set', 'tracking.mlflow.experiment=vae-baselines'], cleanEnv({ MLFLOW_TRACKING_URI: mlflow.server.uri }));
    expect(r.code, r.stderr).toBe(0);
    const runDir = r.stdout.trim();
    expect(r.stderr).toMatch(/mlflow: run [0-9a-f]{32} — http:\/\/127\.0\.0\.1:\d+\/#\/experiments\/\d+\/runs\/[0-9a-f]{32}/);

    const experiment = await experimentByName(mlflow.server.uri, 'vae-baselines');
    expect(experiment).toBeDefined();
    const runs = await searchRuns(mlflow.server.uri, experiment!.experiment_id, `tags.\`elbo.run_id\` = '${runDir.split('/').pop()}'`);
    expect(runs).toHaveLength(1);
    const id = runs[0]!.info.run_id;
    const run = await getRun(mlflow.server.uri, id);
    expect(run.info.status).toBe('FINISHED');

    // Params: the resolved config flattened, exactly as the local record has them.
    const local = readParams(runDir);
    expect(asRecord(run.data.params)).toEqual(Object.fromEntries(Object.entries(local).map(([k, v]) => [k, String(v)])));
    expect(asRecord(run.data.params)['tracking.mlflow.experiment']).toBe('vae-baselines');

    const tags = asRecord(run.data.tags);
    // The config asks for wasm; ELBO_BACKEND=node (the suite's native pass) overrides it.
    const backend = process.env['ELBO_BACKEND'] === 'node' ? 'tensorflow' : 'wasm';
    expect(tags).toMatchObject({ 'mlflow.source.type': 'LOCAL', 'elbo.backend': backend, 'elbo.dataset': 'mnist', 'elbo.model': 'mlp/mlp+bernoulli+kl' });
    for (const k of ['mlflow.runName', 'mlflow.user', 'mlflow.source.name', 'mlflow.source.git.commit', 'elbo.version']) expect(tags[k], k).toBeTruthy();

    // Metric histories: every point of metrics.jsonl, with its step and timestamp, once.
    const history = readMetrics(runDir);
    expect(comparable(await allMetrics(mlflow.server.uri, id))).toEqual(comparable(history));
    expect(history.filter((p) => p.key === 'train/loss').map((p) => p.step)).toEqual([1, 2, 3]);
    // One value per key and step: the final evaluation has keys of its own beside the last epoch's test/*.
    const points = await allMetrics(mlflow.server.uri, id);
    expect(new Set(points.map((p) => `${p.key}@${p.step}`)).size).toBe(points.length);
    expect(points.filter((p) => p.step === 3).map((p) => p.key)).toEqual(expect.arrayContaining(['test/neg_elbo', 'final/neg_elbo']));

    // Artifacts: those core and the runner's training curves handed to the trackers, plus the last checkpoint; the same bytes.
    const index = Object.keys(readArtifactIndex(runDir));
    const checkpoint = readdirSync(join(runDir, 'checkpoint')).map((f) => `checkpoint/${f}`);
    const files = (await listArtifacts(mlflow.server.uri, id)).map((f) => f.path);
    expect(files).toEqual([...index, ...checkpoint].sort((a, b) => a.localeCompare(b)));
    expect(files).toEqual(
      expect.arrayContaining([
        'samples.png',
        'reconstructions.png',
        'interpolation.png',
        'curves.png',
        'evaluation.json',
        'model/model.json',
        'model/weights.bin',
        'config.yaml',
        ...readdirSync(join(runDir, 'checkpoint'))
          .filter((f) => f.startsWith('manifest-'))
          .map((f) => `checkpoint/${f}`),
      ]),
    );
    for (const path of files) {
      const localFile = path.startsWith('checkpoint/') ? join(runDir, path) : join(runDir, 'artifacts', path);
      expect((await downloadArtifact(mlflow.server.uri, run, path)).equals(readFileSync(localFile)), path).toBe(true);
    }
  });

  it('a bad tracking URI, an unknown experiment id or no URI at all stop the run before training starts', async () => {
    const dir = scratch('elbo-mlflow-bad-');
    const file = writeConfig(dir, small);
    const port = await freePort();
    const bad = await elbo(['train', file, '--set', 'tracking.mlflow.startTimeout=2'], cleanEnv({ MLFLOW_TRACKING_URI: `http://127.0.0.1:${port}` }));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      new RegExp(`error: tracker mlflow: cannot reach the MLflow tracking server at http://127\\.0\\.0\\.1:${port} \\(GET experiments/get-by-name: .*ECONNREFUSED`),
    );
    expect(bad.stderr).not.toMatch(/epoch 1/);

    const unknown = await elbo(['train', file, '--set', 'tracking.mlflow.experimentId=424242'], cleanEnv({ MLFLOW_TRACKING_URI: mlflow.server.uri }));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`error: tracker mlflow: MLflow experiment id "424242" does not exist at ${mlflow.server.uri} (RESOURCE_DOES_NOT_EXIST)`);
    expect(unknown.stderr).not.toMatch(/epoch 1/);

    const none = await elbo(['train', file, '--set', 'tracking.mlflow={}'], cleanEnv());
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('error: tracking.mlflow: no MLflow tracking URI: set MLFLOW_TRACKING_URI');
    // No run trained: no checkpoint anywhere.
    const runs = join(dir, 'runs', 'test');
    for (const d of existsSync(runs) ? readdirSync(runs) : []) expect(existsSync(join(runs, d, 'checkpoint'))).toBe(false);
  });
});
