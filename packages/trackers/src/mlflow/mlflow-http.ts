import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import type { MlflowSettings } from './mlflow-settings.js';
import { MlflowApiError, MlflowUnreachableError, networkReason, parseErrorBody } from './mlflow-error.js';
import { backoffDelay, isRetryableNetworkError, isRetryableStatus, mayRetry, parseRetryAfter, type RetryPolicy } from './retry-policy.js';

export type HttpSettings = Pick<MlflowSettings, 'trackingUri' | 'timeoutMs' | 'tls' | 'credentials' | 'maxRetries' | 'backoffFactor' | 'backoffJitter'>;

export interface MlflowHttpDeps {
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
  /** Called before each retry with the failure and the wait (for "server unreachable" notices). */
  readonly onRetry?: (failure: Error, delayMs: number) => void;
}

export interface CallOptions {
  /** Defaults to the settings' retry policy. */
  readonly policy?: RetryPolicy;
  /** Aborts the request in flight and any wait between retries. */
  readonly signal?: AbortSignal;
}

/** A request body that can be produced again for every attempt (files are re-opened). */
type Body = { readonly json: unknown } | { readonly file: string };

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`tracker/mlflow: cannot read the ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * HTTP to one MLflow tracking server over undici: JSON calls under `/api/2.0/mlflow/`, artifact
 * uploads under `/api/2.0/mlflow-artifacts/`, the `Authorization` header, TLS options, request
 * timeouts and retries (see RetryPolicy). Errors name the request (never the credentials) and carry
 * the server's `error_code` and message.
 */
export class MlflowHttp {
  readonly trackingUri: string;
  private readonly agent: Agent;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(
    private readonly settings: HttpSettings,
    private readonly deps: MlflowHttpDeps = {},
  ) {
    this.trackingUri = settings.trackingUri;
    const { tls } = settings;
    const pem = tls.clientCertFile ? readPem(tls.clientCertFile, 'client certificate (MLFLOW_TRACKING_CLIENT_CERT_PATH)') : undefined;
    this.agent = new Agent({
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
      keepAliveTimeout: 4_000,
      connect: {
        timeout: Math.min(settings.timeoutMs, 30_000),
        rejectUnauthorized: !tls.insecure,
        ...(tls.caFile ? { ca: readPem(tls.caFile, 'CA bundle (MLFLOW_TRACKING_SERVER_CERT_PATH)') } : {}),
        ...(pem ? { cert: pem, key: pem } : {}),
      },
    });
    this.sleep = deps.sleep ?? sleepFor;
    this.random = deps.random ?? Math.random;
    this.now = deps.now ?? Date.now;
  }

  /** The default policy: the configured retries, backoff and jitter. */
  policy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
    return { maxRetries: this.settings.maxRetries, backoffFactor: this.settings.backoffFactor, backoffJitter: this.settings.backoffJitter, ...overrides };
  }

  /** `GET /api/2.0/mlflow/<endpoint>?query` → parsed JSON. */
  get<T>(endpoint: string, query: Readonly<Record<string, string>>, opts: CallOptions = {}): Promise<T> {
    const qs = new URLSearchParams(query).toString();
    return this.json<T>('GET', `/api/2.0/mlflow/${endpoint}${qs ? `?${qs}` : ''}`, `GET ${endpoint}`, undefined, opts);
  }

  /** `POST /api/2.0/mlflow/<endpoint>` with a JSON body → parsed JSON. */
  post<T>(endpoint: string, body: unknown, opts: CallOptions = {}): Promise<T> {
    return this.json<T>('POST', `/api/2.0/mlflow/${endpoint}`, `POST ${endpoint}`, { json: body }, opts);
  }

  /** `GET` on any API path (artifact listing) → parsed JSON. */
  getPath<T>(path: string, what: string, opts: CallOptions = {}): Promise<T> {
    return this.json<T>('GET', path, what, undefined, opts);
  }

  /** `PUT <path>` with the bytes of `file` (artifact upload; the success body may be empty). */
  async upload(path: string, file: string, what: string, opts: CallOptions = {}): Promise<void> {
    await this.send('PUT', path, what, { file }, opts);
  }

  private async json<T>(method: string, path: string, what: string, body: Body | undefined, opts: CallOptions): Promise<T> {
    const text = await this.send(method, path, what, body, opts);
    if (text.trim() === '') return {} as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new MlflowApiError(what, 200, undefined, `the server answered with something that is not JSON: ${this.redact(text.slice(0, 200))}`, false);
    }
  }

  private async send(method: string, path: string, what: string, body: Body | undefined, opts: CallOptions): Promise<string> {
    const policy = opts.policy ?? this.policy();
    const url = `${this.trackingUri}${path}`;
    for (let retries = 0; ; retries++) {
      let failure: Error;
      let retryAfterMs: number | undefined;
      try {
        const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'elbo-mlflow-tracker' };
        const auth = this.settings.credentials.authorization();
        if (auth) headers['authorization'] = auth;
        let payload: string | Readable | undefined;
        if (body && 'json' in body) {
          headers['content-type'] = 'application/json';
          payload = JSON.stringify(body.json);
        } else if (body) {
          const { size } = await stat(body.file);
          headers['content-type'] = 'application/octet-stream';
          headers['content-length'] = String(size);
          payload = size === 0 ? '' : createReadStream(body.file);
        }
        const res = await request(url, { method: method as Dispatcher.HttpMethod, headers, body: payload, dispatcher: this.agent, signal: opts.signal });
        const text = await res.body.text();
        if (res.statusCode >= 200 && res.statusCode < 300) return text;
        const contentType = res.headers['content-type'];
        const parsed = parseErrorBody(text, Array.isArray(contentType) ? contentType[0] : contentType);
        const retryable = isRetryableStatus(res.statusCode);
        retryAfterMs = retryable ? parseRetryAfter(res.headers['retry-after'], this.now()) : undefined;
        failure = new MlflowApiError(what, res.statusCode, parsed.errorCode, this.redact(parsed.message), retryable, retryAfterMs);
        if (!retryable) throw failure;
      } catch (e) {
        if (e instanceof MlflowApiError && !e.retryable) throw e;
        if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : new Error(`MLflow ${what}: aborted`);
        if (e instanceof MlflowApiError) failure = e;
        else if ((e as { code?: string }).code === 'ENOENT' && body && 'file' in body) throw new Error(`MLflow ${what}: ${body.file} no longer exists`);
        else if (!isRetryableNetworkError(e)) throw new Error(`MLflow ${what} at ${this.trackingUri}: ${this.redact(networkReason(e))}`);
        else failure = new MlflowUnreachableError(this.trackingUri, what, this.redact(networkReason(e)), retries + 1);
      }
      const delay = backoffDelay(policy, retries + 1, retryAfterMs, this.random);
      if (!mayRetry(policy, retries, delay, this.now())) {
        if (failure instanceof MlflowUnreachableError) throw new MlflowUnreachableError(this.trackingUri, what, failure.reason, retries + 1);
        throw failure;
      }
      this.deps.onRetry?.(failure, delay);
      await this.sleep(delay);
      if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : new Error(`MLflow ${what}: aborted`);
    }
  }

  redact(text: string): string {
    return this.settings.credentials.redact(text);
  }

  /** Closes idle connections; requests in flight are aborted after `graceMs`. */
  async close(graceMs = 1000): Promise<void> {
    const closing = this.agent.close();
    const timer = setTimeout(() => void this.agent.destroy().catch(() => undefined), graceMs);
    try {
      await closing;
    } catch {
      // destroyed
    } finally {
      clearTimeout(timer);
    }
  }
}
