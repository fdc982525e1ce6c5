import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import type { RunInfo } from '@elbo/core';
import { MlflowLimits, safeKey, truncate, type KeyValue } from './log-batches.js';
import type { MlflowSettings } from './mlflow-settings.js';

/** Where the standard tags come from (injectable for tests). */
export interface RunTagSources {
  readonly user?: () => string | undefined;
  readonly gitCommit?: () => string | undefined;
  /** The program that started the run (`mlflow.source.name`). */
  readonly source?: () => string | undefined;
}

function currentUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return process.env['USER'] ?? process.env['LOGNAME'];
  }
}

/** The commit of the git checkout the process runs in, or undefined outside one (or without git). */
export function gitCommit(cwd = process.cwd()): string | undefined {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, timeout: 3000, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' }).trim();
    return /^[0-9a-f]{40,64}$/.test(out) ? out : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The tags a new MLflow run starts with: MLflow's standard ones (`mlflow.runName`, `mlflow.user`,
 * `mlflow.source.name`, `mlflow.source.type`, `mlflow.source.git.commit` in a git checkout,
 * `mlflow.parentRunId` for nested runs), ELBO's own from the run (`elbo.model`, `elbo.backend`,
 * `elbo.version`…, plus `elbo.run_id` and `elbo.node`), then the configured extra tags.
 */
export function runTags(run: RunInfo, settings: Pick<MlflowSettings, 'runName' | 'parentRunId' | 'tags'>, sources: RunTagSources = {}): KeyValue[] {
  const tags: Record<string, string | undefined> = {
    'mlflow.runName': runName(run, settings),
    'mlflow.user': (sources.user ?? currentUser)(),
    'mlflow.source.name': (sources.source ?? (() => process.argv[1]))(),
    'mlflow.source.type': 'LOCAL',
    'mlflow.source.git.commit': (sources.gitCommit ?? gitCommit)(),
    'mlflow.parentRunId': settings.parentRunId,
    ...run.tags,
    'elbo.run_id': run.runId,
    'elbo.experiment': run.experiment,
    'elbo.node': process.version,
    ...settings.tags,
  };
  return Object.entries(tags)
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    .map(([key, value]) => ({ key: safeKey(key), value: truncate(value, MlflowLimits.tagValueLength).value }));
}

export function runName(run: RunInfo, settings: Pick<MlflowSettings, 'runName'>): string {
  return settings.runName ?? run.tags['elbo.run_name'] ?? run.runId;
}
