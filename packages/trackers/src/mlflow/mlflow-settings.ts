import { existsSync } from 'node:fs';
import { ConfigError } from '@elbo/core';
import type { MlflowOptions } from './mlflow-options.js';
import { MlflowCredentials } from './mlflow-credentials.js';

/** Where runs go: an existing experiment by id, or one found (or created) by name. */
export type ExperimentRef = { readonly id: string } | { readonly name: string };

/** The tracker's settings: its options with the environment filled in, checked. */
export interface MlflowSettings {
  /** Base URL without credentials and without a trailing slash (safe to print). */
  readonly trackingUri: string;
  /** Undefined: the ELBO run's experiment name. */
  readonly experiment: ExperimentRef | undefined;
  readonly runName?: string;
  readonly parentRunId?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly artifacts: boolean;
  readonly logCheckpoint: boolean;
  readonly registerModel?: string;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  /** Seconds. */
  readonly backoffFactor: number;
  /** Seconds. */
  readonly backoffJitter: number;
  readonly startTimeoutMs: number;
  readonly flushTimeoutMs: number;
  readonly tls: { readonly insecure: boolean; readonly caFile?: string; readonly clientCertFile?: string };
  readonly credentials: MlflowCredentials;
}

export type Env = Readonly<Record<string, string | undefined>>;

const where = 'tracking.mlflow';

function envNumber(env: Env, name: string, kind: 'positive' | 'non-negative' | 'integer'): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  const ok = Number.isFinite(n) && (kind === 'positive' ? n > 0 : n >= 0) && (kind !== 'integer' || Number.isInteger(n));
  if (!ok) throw new ConfigError(`${name}: expected ${kind === 'integer' ? 'a non-negative integer' : `a ${kind} number`}, got ${JSON.stringify(raw)}`);
  return n;
}

function envFlag(env: Env, name: string): boolean | undefined {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return undefined;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name}: expected true or false, got ${JSON.stringify(env[name])}`);
}

const nonEmpty = (s: string | undefined) => (s !== undefined && s.trim() !== '' ? s.trim() : undefined);

/**
 * Parses a tracking URI. Only http(s) servers are supported (ELBO talks REST, not to a database
 * or a local folder). Credentials in the URL are accepted from the environment only (they become
 * basic credentials and are cut out of the URL); a config file must not hold them.
 */
function parseTrackingUri(raw: string, source: string, fromConfig: boolean): { uri: string; username?: string; password?: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${source}: not a URL: expected http(s)://host:port of an MLflow tracking server`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${source}: ${url.protocol} URIs are not supported: give the http(s):// URL of an MLflow tracking server (mlflow server …)`);
  }
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  if (fromConfig && (username || password)) {
    throw new ConfigError(
      `${source}: credentials do not belong in a config (it is saved with the run and logged): set MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD or MLFLOW_TRACKING_TOKEN instead`,
    );
  }
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  return { uri: url.toString().replace(/\/+$/, ''), username, password };
}

/**
 * Fills the options in from the environment variables the official client reads and checks them.
 * Throws ConfigError (a user error, exit 2) when no tracking URI is configured anywhere.
 */
export function resolveMlflowSettings(options: MlflowOptions, env: Env = process.env): MlflowSettings {
  const configUri = nonEmpty(options.trackingUri);
  const envUri = nonEmpty(env['MLFLOW_TRACKING_URI']);
  if (!configUri && !envUri) {
    throw new ConfigError(
      `${where}: no MLflow tracking URI: set MLFLOW_TRACKING_URI=http://host:port (or ${where}.trackingUri) to the server, e.g. one started with \`mlflow server --port 5000\``,
    );
  }
  const parsed = configUri ? parseTrackingUri(configUri, `${where}.trackingUri`, true) : parseTrackingUri(envUri!, 'MLFLOW_TRACKING_URI', false);

  const experiment: ExperimentRef | undefined = nonEmpty(options.experimentId)
    ? { id: options.experimentId!.trim() }
    : nonEmpty(options.experiment)
      ? { name: options.experiment!.trim() }
      : nonEmpty(env['MLFLOW_EXPERIMENT_ID'])
        ? { id: env['MLFLOW_EXPERIMENT_ID']!.trim() }
        : nonEmpty(env['MLFLOW_EXPERIMENT_NAME'])
          ? { name: env['MLFLOW_EXPERIMENT_NAME']!.trim() }
          : undefined;

  const credentials = MlflowCredentials.from({
    username: nonEmpty(env['MLFLOW_TRACKING_USERNAME']) ?? parsed.username,
    password: env['MLFLOW_TRACKING_PASSWORD'] ?? parsed.password,
    token: nonEmpty(env['MLFLOW_TRACKING_TOKEN']),
  });

  const caFile = nonEmpty(options.serverCertPath) ?? nonEmpty(env['MLFLOW_TRACKING_SERVER_CERT_PATH']);
  const clientCertFile = nonEmpty(options.clientCertPath) ?? nonEmpty(env['MLFLOW_TRACKING_CLIENT_CERT_PATH']);
  for (const [file, name] of [
    [caFile, options.serverCertPath ? `${where}.serverCertPath` : 'MLFLOW_TRACKING_SERVER_CERT_PATH'],
    [clientCertFile, options.clientCertPath ? `${where}.clientCertPath` : 'MLFLOW_TRACKING_CLIENT_CERT_PATH'],
  ] as const) {
    if (file !== undefined && !existsSync(file)) throw new ConfigError(`${name}: no such file: ${file}`);
  }
  const timeout = options.timeout ?? envNumber(env, 'MLFLOW_HTTP_REQUEST_TIMEOUT', 'positive') ?? 120;
  return {
    trackingUri: parsed.uri,
    experiment,
    runName: nonEmpty(options.runName),
    parentRunId: nonEmpty(options.parentRunId),
    tags: options.tags,
    artifacts: options.artifacts,
    logCheckpoint: options.logCheckpoint,
    registerModel: nonEmpty(options.registerModel),
    timeoutMs: timeout * 1000,
    maxRetries: options.maxRetries ?? envNumber(env, 'MLFLOW_HTTP_REQUEST_MAX_RETRIES', 'integer') ?? 7,
    backoffFactor: options.backoffFactor ?? envNumber(env, 'MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR', 'non-negative') ?? 2,
    backoffJitter: options.backoffJitter ?? envNumber(env, 'MLFLOW_HTTP_REQUEST_BACKOFF_JITTER', 'non-negative') ?? 1,
    startTimeoutMs: options.startTimeout * 1000,
    flushTimeoutMs: options.flushTimeout * 1000,
    tls: {
      insecure: options.insecureTls ?? envFlag(env, 'MLFLOW_TRACKING_INSECURE_TLS') ?? false,
      caFile,
      clientCertFile,
    },
    credentials,
  };
}
