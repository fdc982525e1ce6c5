export { trackersModule, trackersManifest, localTrackerComponent, consoleTrackerComponent, mlflowTrackerComponent } from './trackers-module.js';
export { LocalTracker, type LocalTrackerDeps } from './local/local-tracker.js';
export {
  LocalRunFiles,
  readMetrics,
  readStatus,
  readParams,
  readArtifactIndex,
  type RunStatusRecord,
  type ArtifactEntry,
  type ArtifactIndex,
} from './local/run-files.js';
export {
  ConsoleTracker,
  type ConsoleTrackerOptions,
  type ConsoleTrackerDeps,
  type ConsoleStream,
} from './console/console-tracker.js';
export { ConsoleFormat } from './console/console-format.js';
export { MlflowTracker, runUrl, type MlflowTrackerDeps } from './mlflow/mlflow-tracker.js';
export { mlflowOptionsSchema, type MlflowOptions, type MlflowOptionsInput } from './mlflow/mlflow-options.js';
export { resolveMlflowSettings, type MlflowSettings, type ExperimentRef } from './mlflow/mlflow-settings.js';
export { MlflowApiError, MlflowUnreachableError } from './mlflow/mlflow-error.js';
export { MlflowSpool, MlflowRunFiles, type SpoolEvent, type SpoolRecord, type SpoolState } from './mlflow/mlflow-spool.js';
export { syncMlflowRun, type SyncOptions, type SyncResult } from './mlflow/sync-mlflow-run.js';
export { trackersModule as default } from './trackers-module.js';
export { MlflowClient, artifactRoot, type MlflowRun, type MlflowRunInfo, type MlflowExperiment } from './mlflow/mlflow-client.js';
export { MlflowHttp } from './mlflow/mlflow-http.js';
export { gitCommit } from './mlflow/run-tags.js';
