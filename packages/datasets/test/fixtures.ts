import { createServer, type RequestListener } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';

/** Something thrown, as a class: DataError, ConfigError… */
type ErrorClass<E> = abstract new (...args: never[]) => E;

/**
 * A temporary folder `elbo-<name>-…` for the spec file: made before its tests, removed with its
 * contents after them. The returned function gives its path while the tests run.
 */
export function useTempDir(name: string): () => string {
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `elbo-${name}-`));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return () => {
    if (!dir) throw new Error('the temporary folder exists only while the tests run');
    return dir;
  };
}

/**
 * A local HTTP server for the spec file on a free port of 127.0.0.1, answering with `handler`; started
 * before its tests and closed (open connections too) after them. The returned function gives its base URL.
 */
export function useHttpServer(handler: RequestListener): () => string {
  const server = createServer(handler);
  let base: string | undefined;
  beforeAll(async () => {
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
  });
  return () => {
    if (!base) throw new Error('the test server runs only while the tests run');
    return base;
  };
}

/** The error `p` rejects with, expected to be a `type`; fails the test when `p` resolves. */
export async function rejection<E>(p: Promise<unknown>, type: ErrorClass<E>): Promise<E> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(type);
  return e as E;
}

/** The error `f` throws, expected to be a `type`; fails the test when `f` returns. */
export function thrown<E>(f: () => unknown, type: ErrorClass<E>): E {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    return e as E;
  }
  return expect.unreachable(`expected a ${type.name} to be thrown`);
}
