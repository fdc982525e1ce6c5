import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { downloadFile, progressLines } from './download-file.js';
import { inspectLibtensorflow } from './libtensorflow-folder.js';
import { cachedFolder, commitFolder, isDir, megabytes, type RouteContext, type RouteResult } from './route.js';
import { LIBTENSORFLOW_VERSION, libtensorflowUrl, mirrorSettings } from './tfjs-node-install.js';

const run = promisify(execFile);

/** The folder holding lib/ inside an unpacked archive: its root, or its only subfolder. */
async function archiveRoot(dir: string): Promise<string | undefined> {
  if (await isDir(join(dir, 'lib'))) return dir;
  const entries = await readdir(dir, { withFileTypes: true });
  const only = entries.length === 1 && entries[0]!.isDirectory() ? join(dir, entries[0]!.name) : undefined;
  return only && (await isDir(join(only, 'lib'))) ? only : undefined;
}

/**
 * Route 2: the libtensorflow archive from the mirror that `TFJS_NODE_BASE_URI` /
 * `TFJS_NODE_CDN_STORAGE` (or their npm_config_ forms, or `CDN_STORAGE`) name, at exactly the URL
 * tfjs-node's installer would fetch. Without any of them the route is skipped: the default (Google's
 * bucket) is what the failed `npm install` already tried. `LIBTENSORFLOW_SHA256` pins the archive's
 * digest. The archive is unpacked (system `tar`) into the cache and reused on later runs.
 */
export async function mirrorRoute(ctx: RouteContext): Promise<RouteResult> {
  const settings = mirrorSettings(ctx.env);
  if (!settings.length) return { outcome: 'skipped', detail: 'neither TFJS_NODE_BASE_URI nor TFJS_NODE_CDN_STORAGE is set' };
  let url: string;
  try {
    url = libtensorflowUrl(ctx.env, ctx.platform, ctx.arch);
  } catch (e) {
    return { outcome: 'failed', detail: (e as Error).message };
  }
  if (!url.endsWith('.tar.gz')) return { outcome: 'failed', detail: `${url}: only .tar.gz archives are supported` };
  const dir = join(ctx.cacheDir, 'libtensorflow', `mirror-${createHash('sha256').update(url).digest('hex').slice(0, 12)}`);
  const cached = await cachedFolder(dir);
  if (cached)
    return {
      outcome: 'found',
      folder: cached.folder,
      source: url,
      tensorflowVersion: cached.folder.version ?? LIBTENSORFLOW_VERSION,
      detail: `${url} (unpacked earlier in ${dir})`,
    };

  ctx.log(`  ${settings.join(' ')} → GET ${url}`);
  const archive = join(ctx.cacheDir, 'downloads', basename(new URL(url).pathname));
  let got;
  try {
    got = await downloadFile(url, archive, { sha256: ctx.env['LIBTENSORFLOW_SHA256'] || undefined, onProgress: progressLines(ctx.log) });
  } catch (e) {
    return { outcome: 'failed', detail: (e as Error).message };
  }
  const staging = `${dir}.unpack-${process.pid}`;
  try {
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    await run('tar', ['-xzf', archive, '-C', staging]);
    const root = await archiveRoot(staging);
    const inspection = root ? await inspectLibtensorflow(root) : { ok: false as const, problems: ['no lib/ folder at its top level'] };
    if (!inspection.ok) return { outcome: 'failed', detail: `${url}: not a libtensorflow archive: ${inspection.problems.join('; ').replaceAll(staging, '<archive>')}` };
    await commitFolder(root!, dir, { route: 'mirror', url, sha256: got.sha256, bytes: got.bytes });
  } catch (e) {
    const err = e as Error & { stderr?: string };
    return { outcome: 'failed', detail: `${url}: could not unpack: ${(err.stderr || err.message).trim().split('\n')[0]}` };
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(archive, { force: true });
  }
  const done = await cachedFolder(dir);
  if (!done) return { outcome: 'failed', detail: `${dir}: unpacked, but not readable as a libtensorflow folder` };
  return {
    outcome: 'found',
    folder: done.folder,
    source: url,
    tensorflowVersion: done.folder.version ?? LIBTENSORFLOW_VERSION,
    detail: `${url} (${megabytes(got.bytes)}, sha256 ${got.sha256}) → ${dir}`,
  };
}
