/**
 * `@elbo/trackers/testing`: the MLflow test harness for other packages' specs — a real MLflow
 * server (installed into the project's .venv on first use) and readers of what it stored over REST.
 */
export { MLFLOW_VERSION, ensureMlflow, freePort, startMlflowServer, type MlflowServer } from './mlflow-server.js';
export {
  allMetrics,
  api,
  asRecord,
  downloadArtifact,
  experimentByName,
  getRun,
  listArtifacts,
  metricHistory,
  searchRuns,
  sortMetrics,
  type StoredMetric,
  type StoredRun,
} from './mlflow-rest.js';
