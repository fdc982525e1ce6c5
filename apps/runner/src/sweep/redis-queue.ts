import { ConfigError } from '@elbo/core';
import type { ConnectionOptions } from 'bullmq';

/** The environment variable a Redis URL is read from when no `redis` option or `--redis` is given (keeps a password off command lines and files). */
export const REDIS_ENV = 'ELBO_REDIS_URL';

/** A Redis URL with its password (and user) replaced by `***`: what logs, state.json and errors show. */
export function redactRedisUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/)[^@/]*@/, '$1***@');
}

/** Every occurrence of the URL's password in `text` replaced by `***` (an error message that quotes it). */
export function redactPassword(url: string, text: string): string {
  const password = passwordOf(url);
  return password ? text.split(password).join('***') : text;
}

function passwordOf(url: string): string | undefined {
  try {
    const p = new URL(url).password;
    return p ? decodeURIComponent(p) : undefined;
  } catch {
    return undefined;
  }
}

/** `redis://[user:password@]host[:port][/db]` (or `rediss://`, TLS) as the connection options BullMQ passes to ioredis. */
export function redisConnection(url: string | undefined, where: string): ConnectionOptions {
  const text = url ?? process.env[REDIS_ENV];
  if (!text) throw new ConfigError(`${where}: give the Redis URL (redis://host:6379) or set ${REDIS_ENV}`);
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new ConfigError(`${where}: not a Redis URL: ${JSON.stringify(redactRedisUrl(text))} (expected redis://[:password@]host[:port][/db])`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new ConfigError(`${where}: expected a redis:// or rediss:// URL, got ${u.protocol}//…`);
  const db = u.pathname.replace(/^\//, '');
  if (db && !/^\d+$/.test(db)) throw new ConfigError(`${where}: the database of a Redis URL is a number (redis://host:6379/0), got /${db}`);
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    // Wait through a Redis restart instead of failing: commands queue until the connection is back.
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(200 * times, 2000),
  };
}

/** What travels in a job: a trial's command and where its output goes — never the Redis URL. */
export interface TrialPayload {
  readonly id: string;
  readonly key: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly logFile: string;
  readonly timeoutMs?: number;
  /** Set by a worker when the trial's command failed: how it ended. */
  readonly exit?: import('./executor.js').TrialExit;
}

/** The Redis hash of job keys whose trials the sweep asked to stop (Ctrl-C on `elbo sweep`). */
export const stopKey = (queue: string): string => `elbo:${queue}:stop`;
