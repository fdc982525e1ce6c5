import { mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ZipReader } from '@elbo/core';
import { downloadFile, progressLines } from './download-file.js';
import { inspectLibtensorflow } from './libtensorflow-folder.js';
import { chooseWheel, indexFiles, linuxWheels } from './pypi-wheel.js';
import { cachedFolder, commitFolder, megabytes, type RouteContext, type RouteResult } from './route.js';
import { extractZipEntry, type ZipEntry } from './zip-archive.js';

/** The CPU-only TensorFlow distribution on PyPI (its Linux wheels are x86-64 only). */
export const TENSORFLOW_CPU_PROJECT = 'tensorflow-cpu';

/**
 * Headers the binding's two includes pull in, by folder, under the wheel's tensorflow/include/
 * (`g++ -M` on binding/*.cc against TensorFlow 2.21: tensorflow/c/**, the tstring headers of
 * tensorflow/core/platform and tsl/platform, xla/tsl/c/tsl_status.h).
 */
const HEADER_FOLDERS = ['tensorflow/c/', 'tensorflow/core/platform/', 'tsl/platform/', 'tsl/c/', 'xla/tsl/c/', 'tensorflow/tsl/platform/', 'tensorflow/tsl/c/'];

/** Which wheel members make a libtensorflow folder, and where they go in it. */
export function wheelLayout(entries: readonly ZipEntry[]): { members: { entry: ZipEntry; to: string }[]; problem?: string } {
  const libs = entries.filter((e) => /^tensorflow\/lib(tensorflow_cc|tensorflow_framework)\.so(\.\d+)*$/.test(e.name));
  if (!libs.some((e) => e.name.startsWith('tensorflow/libtensorflow_cc.so'))) {
    const pywrap = entries.some((e) => e.name === 'tensorflow/python/_pywrap_tensorflow_internal.so');
    return {
      members: [],
      problem: pywrap
        ? 'this wheel has no tensorflow/libtensorflow_cc.so.2 (wheels before TensorFlow 2.12): its C API is inside python/_pywrap_tensorflow_internal.so, which cannot load without libpython (undefined symbol PyTuple_Type)'
        : 'this wheel has no tensorflow/libtensorflow_cc.so*',
    };
  }
  const headers = entries.filter((e) => {
    if (!e.name.startsWith('tensorflow/include/') || e.name.endsWith('/')) return false;
    const rel = e.name.slice('tensorflow/include/'.length);
    return HEADER_FOLDERS.some((f) => rel.startsWith(f));
  });
  return {
    members: [
      ...libs.map((entry) => ({ entry, to: join('lib', basename(entry.name)) })),
      ...headers.map((entry) => ({ entry, to: join('include', entry.name.slice('tensorflow/include/'.length)) })),
    ],
  };
}

/**
 * Route 3: TensorFlow's CPU wheel from the Python package index (`PIP_INDEX_URL`, default PyPI).
 * Since TensorFlow 2.12 a wheel carries the C and eager C APIs in tensorflow/libtensorflow_cc.so.2
 * (+ libtensorflow_framework.so.2), with no Python dependency, and the C headers under
 * tensorflow/include: those are unpacked (never imported in Python) into a libtensorflow folder.
 * The wheel's SHA-256 from the index is checked; the wheel is deleted once unpacked.
 */
export async function pypiRoute(ctx: RouteContext): Promise<RouteResult> {
  if (ctx.platform !== 'linux' || ctx.arch !== 'x64') {
    return { outcome: 'skipped', detail: `the ${TENSORFLOW_CPU_PROJECT} wheels are used on Linux x86-64 only (this is ${ctx.platform}-${ctx.arch})` };
  }
  const folderFor = (version: string) => join(ctx.cacheDir, 'libtensorflow', `pypi-${TENSORFLOW_CPU_PROJECT}-${version}`);
  if (ctx.tensorflowVersion !== 'latest') {
    // A pinned version unpacked earlier needs no index (works offline, e.g. from a restored CI cache).
    const cached = await cachedFolder(folderFor(ctx.tensorflowVersion));
    const source = typeof cached?.record['wheel'] === 'string' ? cached.record['wheel'] : `${TENSORFLOW_CPU_PROJECT} ${ctx.tensorflowVersion}`;
    if (cached)
      return { outcome: 'found', folder: cached.folder, source, tensorflowVersion: ctx.tensorflowVersion, detail: `${source} (unpacked earlier in ${cached.folder.dir})` };
  }
  const index = ctx.env['PIP_INDEX_URL'] || 'https://pypi.org/simple/';
  let files;
  try {
    files = await indexFiles(index, TENSORFLOW_CPU_PROJECT);
  } catch (e) {
    return { outcome: 'failed', detail: `the package index is not reachable: ${(e as Error).message}` };
  }
  const { wheel, why } = chooseWheel(linuxWheels(TENSORFLOW_CPU_PROJECT, files), ctx.tensorflowVersion, ctx.glibc);
  if (!wheel) return { outcome: 'failed', detail: `${TENSORFLOW_CPU_PROJECT} on ${index}: ${why}` };
  const dir = folderFor(wheel.version);
  const cached = await cachedFolder(dir);
  if (cached)
    return { outcome: 'found', folder: cached.folder, source: wheel.filename, tensorflowVersion: wheel.version, detail: `${wheel.filename} (unpacked earlier in ${dir})` };

  ctx.log(`  GET ${wheel.url}`);
  const file = join(ctx.cacheDir, 'downloads', wheel.filename);
  let got;
  try {
    got = await downloadFile(wheel.url, file, { ...(wheel.sha256 ? { sha256: wheel.sha256 } : {}), onProgress: progressLines(ctx.log) });
  } catch (e) {
    return { outcome: 'failed', detail: (e as Error).message };
  }
  const staging = `${dir}.unpack-${process.pid}`;
  let zip: ZipReader | undefined;
  try {
    zip = await ZipReader.open(file);
    const layout = wheelLayout(zip.members);
    if (layout.problem) return { outcome: 'failed', detail: `${wheel.filename}: ${layout.problem}` };
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    ctx.log(`  unpacking ${layout.members.length} members (${megabytes(layout.members.reduce((s, m) => s + m.entry.size, 0))})`);
    for (const m of layout.members) await extractZipEntry(zip, m.entry.name, join(staging, m.to));
    const inspection = await inspectLibtensorflow(staging);
    if (!inspection.ok) return { outcome: 'failed', detail: `${wheel.filename}: unpacked, but ${inspection.problems.join('; ').replaceAll(staging, '<wheel>')}` };
    await commitFolder(staging, dir, { route: 'pypi', wheel: wheel.filename, url: wheel.url, sha256: got.sha256, version: wheel.version });
  } catch (e) {
    return { outcome: 'failed', detail: `${wheel.filename}: could not unpack: ${(e as Error).message}` };
  } finally {
    zip?.close();
    await rm(staging, { recursive: true, force: true });
    await rm(file, { force: true });
  }
  const done = await cachedFolder(dir);
  if (!done) return { outcome: 'failed', detail: `${dir}: unpacked, but not readable as a libtensorflow folder` };
  return {
    outcome: 'found',
    folder: done.folder,
    source: wheel.filename,
    tensorflowVersion: wheel.version,
    detail: `${wheel.filename} (${megabytes(got.bytes)}, sha256 ${got.sha256}) → ${dir}`,
  };
}
