/**
 * `elbo sweep` with tracking.mlflow against a real MLflow server: one parent run for the sweep with
 * the summary as artifacts, every trial a nested run of it, and a re-run reusing the parent.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { asRecord, downloadArtifact, experimentByName, getRun, listArtifacts, searchRuns, startMlflowServer, type MlflowServer } from '@elbo/trackers/testing';
import { sweepCommand } from '../src/commands/sweep.js';
import type { SweepState } from '../src/sweep/sweep-folder.js';
import { tempDir, writeConfig } from './helpers.js';

let server: MlflowServer;
const saved = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('MLFLOW_')));
const dir = tempDir('elbo-sweep-mlflow-');
beforeAll(async () => {
  server = await startMlflowServer();
  for (const k of Object.keys(saved)) delete process.env[k];
  process.env['MLFLOW_TRACKING_URI'] = server.uri; // the trials (child processes) inherit it
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
}, 900_000);
afterAll(async () => {
  vi.restoreAllMocks();
  delete process.env['MLFLOW_TRACKING_URI'];
  Object.assign(process.env, saved);
  await server?.dispose();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('elbo sweep with tracking.mlflow', () => {
  it('one parent run with the summary; both trials nested under it; a re-run reuses the parent', async () => {
    writeConfig(
      dir,
      {
        data: { name: 'mnist', binarize: 'dynamic', limit: { train: 500, test: 100 } },
        model: { latent: 8, encoder: { name: 'mlp', hidden: [64] }, decoder: { name: 'mlp', hidden: [64] } },
        train: { epochs: 1, batchSize: 100 },
        eval: { k: 0 },
        tracking: { local: {}, console: false, mlflow: { experiment: 'sweep-test' } },
      },
      'base.yaml',
    );
    const file = join(dir, 'seeds.yaml');
    writeFileSync(file, stringify({ name: 'seeds', base: 'base.yaml', metric: { name: 'test/neg_elbo', goal: 'minimize' }, grid: { seed: [1, 2] } }));
    const sweepDir = join(dir, 'runs', 'test', 'sweeps', 'seeds');

    expect(await sweepCommand({ file, set: [], dryRun: false, workers: 2 })).toBe(0);
    const experiment = await experimentByName(server.uri, 'sweep-test');
    expect(experiment).toBeDefined();
    const runs = await searchRuns(server.uri, experiment!.experiment_id);
    const parents = runs.filter((r) => asRecord(r.data.tags)['elbo.sweep'] === 'seeds');
    expect(parents).toHaveLength(1);
    const parentId = parents[0]!.info.run_id;
    const parent = await getRun(server.uri, parentId);
    expect(parent.info.status).toBe('FINISHED');
    expect((await listArtifacts(server.uri, parentId)).map((f) => f.path)).toEqual(['summary.csv', 'summary.png']);
    for (const name of ['summary.csv', 'summary.png']) {
      expect((await downloadArtifact(server.uri, parent, name)).equals(readFileSync(join(sweepDir, name))), name).toBe(true);
    }
    expect(parent.data.metrics?.find((m) => m.key === 'test/neg_elbo')?.value).toBeGreaterThan(0);

    const state = JSON.parse(readFileSync(join(sweepDir, 'state.json'), 'utf8')) as SweepState;
    expect(state.reporters?.['mlflow']).toEqual({ trackingUri: server.uri, runId: parentId });
    const trialIds = state.trials.map((t) => t.runDir!.split('/').pop()!);
    const children = runs.filter((r) => r.info.run_id !== parentId);
    expect(children).toHaveLength(2);
    for (const c of children) {
      expect(asRecord(c.data.tags)['mlflow.parentRunId']).toBe(parentId);
      expect(trialIds).toContain(asRecord(c.data.tags)['elbo.run_id']);
      expect(c.info.status).toBe('FINISHED');
    }

    // The same sweep again: nothing to run, the same parent run (no new one), still FINISHED.
    expect(await sweepCommand({ file, set: [], dryRun: false, workers: 2 })).toBe(0);
    const again = await searchRuns(server.uri, experiment!.experiment_id);
    expect(again.map((r) => r.info.run_id).sort()).toEqual(runs.map((r) => r.info.run_id).sort());
    expect((await getRun(server.uri, parentId)).info.status).toBe('FINISHED');
  }, 600_000);
});
