import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspectLibtensorflow, type LibtensorflowFolder } from './libtensorflow-folder.js';
import type { Env } from './tfjs-node-install.js';

/** The three ways to a libtensorflow, tried in this order. */
export type RouteName = 'folder' | 'mirror' | 'pypi';

/** What a route needs from its surroundings (all injectable for tests). */
export interface RouteContext {
  readonly env: Env;
  /** Downloads and unpacked libraries live here (default ~/.cache/elbo/native). */
  readonly cacheDir: string;
  /** TensorFlow wheel version for the PyPI route, or `latest`. */
  readonly tensorflowVersion: string;
  /** Progress lines for the user. */
  readonly log: (line: string) => void;
  readonly platform: string;
  readonly arch: string;
  /** glibc version of this process (`2.36`), for choosing a manylinux wheel; undefined off glibc. */
  readonly glibc?: string;
}

/** A route's answer: a folder it found (or made), or why it could not. */
export type RouteResult =
  { outcome: 'found'; folder: LibtensorflowFolder; source: string; tensorflowVersion?: string; detail: string } | { outcome: 'skipped' | 'failed'; detail: string };

/** Marker written last into a cache folder, so an interrupted unpack is never mistaken for a complete one. */
const MARKER = '.elbo-complete.json';

/** A complete cache folder from an earlier run, with what its marker recorded. */
export async function cachedFolder(dir: string): Promise<{ folder: LibtensorflowFolder; record: Record<string, unknown> } | undefined> {
  const record = await readFile(join(dir, MARKER), 'utf8')
    .then((s) => JSON.parse(s) as Record<string, unknown>)
    .catch(() => undefined);
  if (!record) return undefined;
  const inspection = await inspectLibtensorflow(dir);
  return inspection.ok ? { folder: inspection.folder, record } : undefined;
}

/**
 * Moves a freshly unpacked folder into place and marks it complete: `staging` is renamed to `dir`
 * (any older, incomplete `dir` is removed first), then the marker is written.
 */
export async function commitFolder(staging: string, dir: string, record: Record<string, unknown>): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
  await writeFile(join(dir, MARKER), JSON.stringify({ ...record, completed: new Date().toISOString() }, null, 2) + '\n');
}

export async function isDir(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isDirectory() ?? false;
}

/** `12.3 MB` */
export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
