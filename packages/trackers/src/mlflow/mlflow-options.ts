import { z } from 'zod';
import { opt } from '@elbo/core';

/**
 * A name or id, given as a string or as a number (`--set` reads values as YAML, so
 * `tracking.mlflow.experimentId=12` arrives as a number): always a string after validation.
 */
const nameLike = () => z.union([opt.string(), z.number()], { error: (iss) => `expected a string, got ${JSON.stringify(iss.input)}` }).transform(String);

/**
 * Options of `tracker/mlflow` (`tracking.mlflow: {…}` in a config). Everything is optional: the
 * tracking URI, the experiment and the HTTP settings fall back to the environment variables the
 * official MLflow client reads. Credentials are deliberately NOT options: a config is saved in the
 * run folder and logged as params, so tokens and passwords come from the environment only.
 */
export const mlflowOptionsSchema = z.strictObject({
  trackingUri: opt.string().optional().describe('http(s) URL of the MLflow tracking server (default: MLFLOW_TRACKING_URI)'),
  experiment: nameLike().optional().describe('experiment name, created when missing (default: MLFLOW_EXPERIMENT_NAME, else the run’s experiment)'),
  experimentId: nameLike().optional().describe('id of an existing experiment (default: MLFLOW_EXPERIMENT_ID); wins over `experiment`'),
  runName: nameLike().optional().describe('MLflow run name (default: the ELBO run name)'),
  parentRunId: nameLike().optional().describe('MLflow run id of the parent run, for nested runs (tag mlflow.parentRunId)'),
  tags: z
    .record(z.string(), z.union([opt.string(), z.number(), z.boolean()]).transform(String))
    .default({})
    .describe('extra tags set on the run'),
  artifacts: opt.boolean().default(true).describe('upload artifacts through the server’s artifact proxy (mlflow server --serve-artifacts)'),
  logCheckpoint: opt.boolean().default(true).describe('upload the run’s checkpoint folder (checkpoint/: the kept checkpoints and their manifests) when the run ends'),
  registerModel: nameLike().optional().describe('register the saved model under this name in the Model Registry when the run finishes'),
  timeout: opt.positive().optional().describe('seconds before an HTTP request times out (default: MLFLOW_HTTP_REQUEST_TIMEOUT, else 120)'),
  maxRetries: opt.nonNegativeInt().optional().describe('retries of a failed request (default: MLFLOW_HTTP_REQUEST_MAX_RETRIES, else 7)'),
  backoffFactor: opt.nonNegative().optional().describe('first retry delay in seconds, doubled each retry (default: MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR, else 2)'),
  backoffJitter: opt.nonNegative().optional().describe('random extra delay, up to this many seconds (default: MLFLOW_HTTP_REQUEST_BACKOFF_JITTER, else 1)'),
  startTimeout: opt.positive().default(15).describe('seconds to reach the server when the run starts, before failing it'),
  flushTimeout: opt.positive().default(60).describe('seconds the end of a run waits for the server without progress before leaving events to `elbo sync`'),
  insecureTls: opt.boolean().optional().describe('skip TLS certificate checks (default: MLFLOW_TRACKING_INSECURE_TLS)'),
  serverCertPath: opt.string().optional().describe('CA bundle to verify the server with (default: MLFLOW_TRACKING_SERVER_CERT_PATH)'),
  clientCertPath: opt.string().optional().describe('PEM with client certificate and key (default: MLFLOW_TRACKING_CLIENT_CERT_PATH)'),
});

export type MlflowOptions = z.output<typeof mlflowOptionsSchema>;
export type MlflowOptionsInput = z.input<typeof mlflowOptionsSchema>;
