/**
 * When and how long to retry an MLflow request, after the official client: 408, 429 and 5xx
 * (except 501/505, which never change) and connection-level errors are retried with exponential
 * backoff `factor · 2^(n−1)` seconds plus a uniform jitter in [0, jitter], capped at `maxDelayMs`;
 * a `Retry-After` header (seconds or an HTTP date) replaces the computed delay.
 */
export interface RetryPolicy {
  /** Retries after the first attempt; Infinity for "until stopped". */
  readonly maxRetries: number;
  /** Seconds. */
  readonly backoffFactor: number;
  /** Seconds. */
  readonly backoffJitter: number;
  /** Upper bound of one wait, in ms (default 60 s). */
  readonly maxDelayMs?: number;
  /** Give up when the next attempt would start after this time (ms since the epoch). */
  readonly deadline?: number;
}

const DEFAULT_MAX_DELAY_MS = 60_000;

/** HTTP statuses worth retrying: the server may answer differently later. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}

const PERMANENT_NETWORK = /CERT|SSL|TLS|ERR_INVALID_URL|ERR_INVALID_ARG|UND_ERR_INVALID_ARG|UND_ERR_NOT_SUPPORTED/;

/**
 * Network-level failures (refused, reset, DNS, timeouts, closed sockets) are retryable; certificate
 * and TLS problems and programming errors are not.
 */
export function isRetryableNetworkError(e: unknown): boolean {
  const codes: string[] = [];
  for (let c: unknown = e, depth = 0; c && depth < 5; c = (c as { cause?: unknown }).cause, depth++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
  }
  if (codes.some((c) => PERMANENT_NETWORK.test(c))) return false;
  return codes.length > 0 || (e as Error)?.name === 'TimeoutError' || (e as Error)?.name === 'AbortError';
}

/** Milliseconds asked for by a `Retry-After` header (delta-seconds or HTTP date), or undefined. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Delay before retry number `retry` (1-based), in ms. */
export function backoffDelay(policy: RetryPolicy, retry: number, retryAfterMs?: number, random: () => number = Math.random): number {
  const cap = policy.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), Math.max(cap, 0));
  const base = policy.backoffFactor * 1000 * 2 ** Math.max(0, retry - 1);
  return Math.min(base + random() * policy.backoffJitter * 1000, cap);
}

/** Whether another retry is allowed after `retries` retries, starting after `delayMs`. */
export function mayRetry(policy: RetryPolicy, retries: number, delayMs: number, now = Date.now()): boolean {
  if (retries >= policy.maxRetries) return false;
  return policy.deadline === undefined || now + delayMs < policy.deadline;
}
