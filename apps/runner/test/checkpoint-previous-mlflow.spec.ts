import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MlflowRunFiles, readMetrics } from '@elbo/trackers';
import { allMetrics } from '@elbo/trackers/testing';
import { elboBin, repoRoot, smallMnist, writeConfig } from './helpers.js';
import { cleanEnv, mlflowFixture } from './mlflow-helpers.js';

const mlflow = mlflowFixture();

describe('elbo train --resume --from-previous with tracker/mlflow', () => {
  it('replays the epochs after the previous checkpoint without a second value for any key and step on the server', async () => {
    const dir = mlflow.scratch('elbo-ck-previous-mlflow-');
    const file = writeConfig(dir, { ...smallMnist(500, 64, 3), backend: 'wasm', tracking: { local: {}, console: false, mlflow: {} } });
    const env = cleanEnv({ MLFLOW_TRACKING_URI: mlflow.server.uri });
    const first = spawnSync(process.execPath, [elboBin, 'train', file], { cwd: repoRoot, encoding: 'utf8', env });
    expect(first.status, first.stderr).toBe(0);
    const runDir = first.stdout.trim();
    const before = readMetrics(runDir).map(({ key, value, step }) => ({ key, value, step }));

    // Corrupt the latest checkpoint's weights and resume from the one before it.
    const ck = join(runDir, 'checkpoint');
    const weights = join(
      ck,
      readdirSync(ck)
        .filter((f) => f.startsWith('weights-'))
        .sort()
        .at(-1)!,
    );
    const bytes = readFileSync(weights);
    bytes[200] = bytes[200]! ^ 0xff;
    writeFileSync(weights, bytes);
    const again = spawnSync(process.execPath, [elboBin, 'train', '--resume', runDir, '--from-previous'], { cwd: repoRoot, encoding: 'utf8', env });
    expect(again.status, again.stderr).toBe(0);
    expect(readMetrics(runDir).map(({ key, value, step }) => ({ key, value, step }))).toEqual(before);

    const { runId } = JSON.parse(readFileSync(join(runDir, MlflowRunFiles.state), 'utf8')) as { runId: string };
    const points = await allMetrics(mlflow.server.uri, runId);
    expect(
      points
        .filter((p) => p.key === 'train/loss')
        .map((p) => p.step)
        .sort(),
    ).toEqual([1, 2, 3]);
    expect(new Set(points.map((p) => `${p.key}@${p.step}`)).size).toBe(points.length);
  });
});
