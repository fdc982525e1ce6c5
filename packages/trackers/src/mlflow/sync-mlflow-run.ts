import { join } from 'node:path';
import { ConfigError, validate, type Logger } from '@elbo/core';
import { MlflowClient, artifactRoot } from './mlflow-client.js';
import { MlflowHttp, type MlflowHttpDeps } from './mlflow-http.js';
import { mlflowOptionsSchema } from './mlflow-options.js';
import { resolveMlflowSettings, type Env } from './mlflow-settings.js';
import { MlflowRunFiles, MlflowSpool } from './mlflow-spool.js';
import { runUrl } from './mlflow-tracker.js';
import { SpoolSender } from './spool-sender.js';

export interface SyncOptions {
  /** The run's `tracking.mlflow` options from its config.yaml (`{}` when absent). */
  readonly options: unknown;
  /** Replay every event, not only those the server has not acknowledged (idempotent). */
  readonly full?: boolean;
  readonly env?: Env;
  readonly logger: Logger;
  readonly http?: MlflowHttpDeps;
}

export interface SyncResult {
  readonly runId: string;
  readonly url: string;
  /** Events sent in this sync. */
  readonly sent: number;
}

/**
 * `elbo sync <run-dir>`: sends what a run's MLflow spool still holds (everything with `full`) to
 * the MLflow run recorded in its `mlflow/state.json`, in order. Replays are idempotent: params carry
 * the same values, metric points their original timestamps (the server de-duplicates identical
 * points), tags and artifacts are overwritten with the same content, and a registered model version
 * is created once per run. Transient failures are retried (MLFLOW_HTTP_REQUEST_MAX_RETRIES…), then
 * the unsent events stay in the spool for the next sync.
 */
export async function syncMlflowRun(runDir: string, opts: SyncOptions): Promise<SyncResult> {
  const checked = validate(mlflowOptionsSchema, opts.options ?? {}, 'tracking.mlflow');
  if (!checked.ok) throw ConfigError.of(checked.problems.map((p) => `${join(runDir, 'config.yaml')}: ${p}`));
  const settings = resolveMlflowSettings(checked.value, opts.env ?? process.env);
  const spool = await MlflowSpool.open(runDir);
  const state = spool.state;
  if (!state) throw new ConfigError(`${runDir}: nothing to sync: no ${MlflowRunFiles.state} (the run was not tracked with tracker/mlflow, or it never reached the server)`);
  await spool.lock();
  const http = new MlflowHttp(settings, {
    onRetry: (e, ms) => opts.logger.warn(`mlflow: ${e.message}; retrying in ${(ms / 1000).toFixed(1)} s`),
    ...opts.http,
  });
  try {
    const client = new MlflowClient(http);
    const run = await client.getRun(state.runId);
    if (!run || run.info.lifecycle_stage === 'deleted') {
      const elsewhere = state.trackingUri !== settings.trackingUri ? ` (the run folder recorded it at ${state.trackingUri})` : '';
      throw new Error(`MLflow run ${state.runId} ${run ? 'is deleted' : 'does not exist'} at ${settings.trackingUri}${elsewhere}`);
    }
    const root = settings.artifacts ? artifactRoot(state.artifactUri, settings.trackingUri) : undefined;
    const sender = new SpoolSender(client, spool, { runId: state.runId, artifactUri: state.artifactUri, artifactRoot: root }, opts.logger, http.policy());
    sender.enqueue(opts.full ? spool.events : spool.pending());
    await sender.sendAll(http.policy());
    return { runId: state.runId, url: runUrl(settings.trackingUri, state.experimentId, state.runId), sent: sender.sentEvents };
  } catch (e) {
    const left = spool.pending().length;
    const kept = left > 0 ? `; ${left} events not sent stay in ${join(runDir, MlflowRunFiles.spool)} for the next \`elbo sync\`` : '';
    throw new Error(`${http.redact((e as Error).message)}${kept}`);
  } finally {
    await http.close();
    await spool.unlock();
  }
}
