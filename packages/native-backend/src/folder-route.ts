import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { inspectLibtensorflow } from './libtensorflow-folder.js';
import type { RouteContext, RouteResult } from './route.js';

/** Route 1: a libtensorflow folder the user already has, named by `LIBTENSORFLOW_DIR`. */
export async function folderRoute(ctx: RouteContext): Promise<RouteResult> {
  const raw = ctx.env['LIBTENSORFLOW_DIR'];
  if (!raw) return { outcome: 'skipped', detail: 'LIBTENSORFLOW_DIR is not set' };
  const dir = raw.startsWith('~/') ? join(homedir(), raw.slice(2)) : resolve(raw);
  const inspection = await inspectLibtensorflow(dir);
  if (!inspection.ok) return { outcome: 'failed', detail: `LIBTENSORFLOW_DIR=${raw} is not a libtensorflow folder: ${inspection.problems.join('; ')}` };
  const { folder } = inspection;
  return {
    outcome: 'found',
    folder,
    source: `LIBTENSORFLOW_DIR=${dir}`,
    ...(folder.version ? { tensorflowVersion: folder.version } : {}),
    detail: `${dir} (${basename(folder.mainLib)}, ${basename(folder.frameworkLib)})`,
  };
}
