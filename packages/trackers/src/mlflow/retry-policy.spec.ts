import { describe, expect, it } from 'vitest';
import { backoffDelay, isRetryableNetworkError, isRetryableStatus, mayRetry, parseRetryAfter, type RetryPolicy } from './retry-policy.js';

const policy: RetryPolicy = { maxRetries: 7, backoffFactor: 2, backoffJitter: 1 };

describe('retry policy', () => {
  it('retries 408, 429 and 5xx, not other 4xx nor 501/505', () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 409, 501, 505].some(isRetryableStatus)).toBe(false);
  });

  it('retries connection errors and timeouts, not TLS certificate problems', () => {
    expect(isRetryableNetworkError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isRetryableNetworkError(Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNRESET' } }))).toBe(true);
    expect(isRetryableNetworkError(Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' }))).toBe(true);
    expect(isRetryableNetworkError(Object.assign(new Error('self-signed'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }))).toBe(false);
    expect(isRetryableNetworkError(new TypeError('x is not a function'))).toBe(false);
  });

  it('backs off exponentially with jitter, capped; Retry-After replaces the computed delay', () => {
    const none = () => 0;
    expect([1, 2, 3, 4].map((n) => backoffDelay(policy, n, undefined, none))).toEqual([2000, 4000, 8000, 16000]);
    expect(backoffDelay(policy, 1, undefined, () => 0.5)).toBe(2500);
    expect(backoffDelay(policy, 20, undefined, none)).toBe(60_000);
    expect(backoffDelay({ ...policy, maxDelayMs: 5000 }, 10, undefined, none)).toBe(5000);
    expect(backoffDelay(policy, 3, 1500, none)).toBe(1500);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(['1.5'])).toBe(1500);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  it('stops after maxRetries or at the deadline', () => {
    expect(mayRetry(policy, 6, 1000)).toBe(true);
    expect(mayRetry(policy, 7, 1000)).toBe(false);
    expect(mayRetry({ ...policy, deadline: 10_000 }, 0, 2000, 9000)).toBe(false);
    expect(mayRetry({ ...policy, deadline: 10_000 }, 0, 500, 9000)).toBe(true);
  });
});
