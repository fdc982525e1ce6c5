import type { RunStatus } from '@elbo/core';
import { MlflowApiError } from './mlflow-error.js';
import type { CallOptions, MlflowHttp } from './mlflow-http.js';
import type { KeyValue, LogBatch } from './log-batches.js';
import type { ExperimentRef } from './mlflow-settings.js';

export interface MlflowExperiment {
  readonly experiment_id: string;
  readonly name: string;
  readonly artifact_location?: string;
  readonly lifecycle_stage?: string;
}

export interface MlflowRunInfo {
  readonly run_id: string;
  readonly experiment_id: string;
  readonly status?: string;
  readonly artifact_uri?: string;
  readonly lifecycle_stage?: string;
}

export interface MlflowRun {
  readonly info: MlflowRunInfo;
  readonly data?: { readonly tags?: readonly KeyValue[] };
}

const isCode = (e: unknown, code: string) => e instanceof MlflowApiError && e.errorCode === code;

/**
 * The REST endpoints the tracker uses (`/api/2.0/mlflow/…`), typed, with MLflow's semantics made
 * explicit: a missing experiment is `undefined`, an experiment created by someone else between our
 * lookup and our create is found again, a deleted one is an error that says how to restore it.
 */
export class MlflowClient {
  constructor(readonly http: MlflowHttp) {}

  async getExperiment(id: string, opts?: CallOptions): Promise<MlflowExperiment | undefined> {
    try {
      return (await this.http.get<{ experiment: MlflowExperiment }>('experiments/get', { experiment_id: id }, opts)).experiment;
    } catch (e) {
      if (isCode(e, 'RESOURCE_DOES_NOT_EXIST')) return undefined;
      throw e;
    }
  }

  /** The experiment called `name`, deleted ones included (the server returns those too). */
  async getExperimentByName(name: string, opts?: CallOptions): Promise<MlflowExperiment | undefined> {
    try {
      return (await this.http.get<{ experiment: MlflowExperiment }>('experiments/get-by-name', { experiment_name: name }, opts)).experiment;
    } catch (e) {
      if (isCode(e, 'RESOURCE_DOES_NOT_EXIST')) return undefined;
      throw e;
    }
  }

  /**
   * Finds the experiment, creating it by name when missing. Two processes may create the same name
   * at once: the loser gets 400 RESOURCE_ALREADY_EXISTS and looks the winner's experiment up.
   */
  async resolveExperiment(ref: ExperimentRef, opts?: CallOptions): Promise<MlflowExperiment> {
    const uri = this.http.trackingUri;
    if ('id' in ref) {
      const found = await this.getExperiment(ref.id, opts);
      if (!found)
        throw new Error(
          `MLflow experiment id ${JSON.stringify(ref.id)} does not exist at ${uri} (RESOURCE_DOES_NOT_EXIST): give an existing id, or an experiment name (tracking.mlflow.experiment) to create one`,
        );
      return checkActive(found, uri);
    }
    const existing = await this.getExperimentByName(ref.name, opts);
    if (existing) return checkActive(existing, uri);
    try {
      const { experiment_id } = await this.http.post<{ experiment_id: string }>('experiments/create', { name: ref.name }, opts);
      return { experiment_id, name: ref.name, lifecycle_stage: 'active' };
    } catch (e) {
      if (!isCode(e, 'RESOURCE_ALREADY_EXISTS')) throw e;
      const winner = await this.getExperimentByName(ref.name, opts);
      if (!winner) throw e;
      return checkActive(winner, uri);
    }
  }

  async createRun(req: { experimentId: string; startTime: number; runName?: string; tags: readonly KeyValue[] }, opts?: CallOptions): Promise<MlflowRunInfo> {
    const body = { experiment_id: req.experimentId, start_time: req.startTime, ...(req.runName ? { run_name: req.runName } : {}), tags: req.tags };
    return (await this.http.post<{ run: MlflowRun }>('runs/create', body, opts)).run.info;
  }

  async getRun(runId: string, opts?: CallOptions): Promise<MlflowRun | undefined> {
    try {
      return (await this.http.get<{ run: MlflowRun }>('runs/get', { run_id: runId }, opts)).run;
    } catch (e) {
      if (isCode(e, 'RESOURCE_DOES_NOT_EXIST')) return undefined;
      throw e;
    }
  }

  async updateRun(runId: string, status: RunStatus, endTime: number | undefined, opts?: CallOptions): Promise<void> {
    await this.http.post('runs/update', { run_id: runId, status, ...(endTime !== undefined && status !== 'RUNNING' ? { end_time: endTime } : {}) }, opts);
  }

  async logBatch(runId: string, batch: LogBatch, opts?: CallOptions): Promise<void> {
    await this.http.post('runs/log-batch', { run_id: runId, metrics: batch.metrics, params: batch.params, tags: batch.tags }, opts);
  }

  /** Uploads `file` to `<root>/<path>` through the artifact proxy (`root`: see artifactRoot). */
  async uploadArtifact(root: string, path: string, file: string, opts?: CallOptions): Promise<void> {
    const encoded = `${root}/${path}`.split('/').map(encodeURIComponent).join('/');
    await this.http.upload(`/api/2.0/mlflow-artifacts/artifacts/${encoded}`, file, `PUT mlflow-artifacts/${path}`, opts);
  }

  /** Lists `<root>` through the artifact proxy: checks that the server serves artifacts. */
  async listArtifacts(root: string, opts?: CallOptions): Promise<readonly { path: string; is_dir?: boolean; file_size?: number }[]> {
    const res = await this.http.getPath<{ files?: { path: string; is_dir?: boolean; file_size?: number }[] }>(
      `/api/2.0/mlflow-artifacts/artifacts?${new URLSearchParams({ path: root })}`,
      'GET mlflow-artifacts (list)',
      opts,
    );
    return res.files ?? [];
  }

  /**
   * Registers `<artifactUri>/<path>` as a new version of the registered model `name` (created when
   * missing), unless this run already has a version of it (so that replays add none).
   */
  async registerModelVersion(name: string, runId: string, source: string, opts?: CallOptions): Promise<void> {
    try {
      await this.http.post('registered-models/create', { name }, opts);
    } catch (e) {
      if (!isCode(e, 'RESOURCE_ALREADY_EXISTS')) throw e;
    }
    const filter = `name='${name.replaceAll("'", "\\'")}' and run_id='${runId}'`;
    const found = await this.http.get<{ model_versions?: unknown[] }>('model-versions/search', { filter, max_results: '10' }, opts);
    if ((found.model_versions ?? []).length > 0) return;
    await this.http.post('model-versions/create', { name, source, run_id: runId }, opts);
  }
}

function checkActive(e: MlflowExperiment, uri: string): MlflowExperiment {
  if (e.lifecycle_stage === 'deleted') {
    throw new Error(
      `MLflow experiment "${e.name}" (id ${e.experiment_id}) at ${uri} is deleted: restore it (mlflow experiments restore --experiment-id ${e.experiment_id}) or choose another name`,
    );
  }
  return e;
}

/**
 * The path under `/api/2.0/mlflow-artifacts/artifacts/` where a run's artifacts go, from its
 * `artifact_uri` (`mlflow-artifacts:/1/<run>/artifacts` when the server proxies artifacts). Throws
 * when the server keeps artifacts somewhere this client cannot write through the server.
 */
export function artifactRoot(artifactUri: string, trackingUri: string): string {
  const proxied = /^mlflow-artifacts:(?:\/\/([^/]*))?\/(.*)$/.exec(artifactUri);
  if (proxied) {
    const authority = proxied[1];
    if (authority && authority !== new URL(trackingUri).host) {
      throw new Error(
        `the run's artifact URI ${artifactUri} points at another server than ${trackingUri}: not supported (set tracking.mlflow.artifacts=false to log no artifacts)`,
      );
    }
    return proxied[2]!.replace(/\/+$/, '');
  }
  const prefix = `${trackingUri}/api/2.0/mlflow-artifacts/artifacts/`;
  if (artifactUri.startsWith(prefix)) return artifactUri.slice(prefix.length).replace(/\/+$/, '');
  throw new Error(
    `the server stores this run's artifacts at ${artifactUri}, which it does not proxy: start it with \`mlflow server --serve-artifacts\` (and an experiment created since), or set tracking.mlflow.artifacts=false`,
  );
}
