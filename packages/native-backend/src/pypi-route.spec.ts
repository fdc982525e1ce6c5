import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCApiSymbols } from './libtensorflow-folder.js';
import { hasToolchain, loopback, tempDir, testContext, writeStubLibrary, zip } from '../test/native-fixtures.js';
import { pypiRoute } from './pypi-route.js';
import { chooseWheel, linuxWheels } from './pypi-wheel.js';
import { TFJS_NODE_C_API_SYMBOLS } from './tfjs-node-install.js';
import { listZip } from './zip-archive.js';

const root = tempDir();
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
let server: Awaited<ReturnType<typeof loopback>>;
const wheels: Record<string, Buffer> = {};

/** A wheel laid out like tensorflow_cpu 2.21.0's (≥ 2.12: C API in libtensorflow_cc.so.2), or 2.11's. */
function wheel(modern: boolean): Buffer {
  writeStubLibrary(join(root, 'cc.so'), TFJS_NODE_C_API_SYMBOLS.slice(0, 40), 'libtensorflow_cc.so.2');
  writeStubLibrary(join(root, 'fw.so'), TFJS_NODE_C_API_SYMBOLS.slice(40), 'libtensorflow_framework.so.2');
  return zip({
    'tensorflow/__init__.py': '',
    ...(modern ? { 'tensorflow/libtensorflow_cc.so.2': readFileSync(join(root, 'cc.so')) } : {}),
    'tensorflow/libtensorflow_framework.so.2': readFileSync(join(root, 'fw.so')),
    'tensorflow/python/_pywrap_tensorflow_internal.so': 'python extension',
    'tensorflow/include/tensorflow/c/c_api.h': '/* c_api */',
    'tensorflow/include/tensorflow/c/eager/c_api.h': '/* eager */',
    'tensorflow/include/tensorflow/core/platform/ctstring_internal.h': '/* ctstring */',
    'tensorflow/include/tsl/platform/ctstring_internal.h': '/* tsl ctstring */',
    'tensorflow/include/xla/tsl/c/tsl_status.h': '/* tsl status */',
    'tensorflow/include/Eigen/Core': '/* not needed */',
    'tensorflow_cpu-2.21.0.dist-info/METADATA': 'Name: tensorflow-cpu',
  });
}

const FILES = {
  'tensorflow_cpu-2.11.1-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl': false,
  'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl': true,
  'tensorflow_cpu-2.21.0-cp312-cp312-manylinux_2_27_x86_64.whl': true,
  'tensorflow_cpu-2.21.0-cp311-cp311-win_amd64.whl': true,
  'tensorflow_cpu-2.99.0-cp311-cp311-manylinux_2_99_x86_64.whl': true,
};

beforeAll(async () => {
  for (const [name, modern] of Object.entries(FILES)) wheels[name] = wheel(modern);
  server = await loopback((req, res) => {
    const name = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
    if (req.url === '/simple/tensorflow-cpu/' || req.url === '/bad/tensorflow-cpu/') {
      const digest = (f: string) => (req.url!.startsWith('/bad/') ? '0'.repeat(64) : sha(wheels[f]!));
      const files = Object.keys(wheels).map((f) => ({ filename: f, url: `../../files/${f}`, hashes: { sha256: digest(f) } }));
      return res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' }).end(JSON.stringify({ meta: { 'api-version': '1.1' }, name: 'tensorflow-cpu', files }));
    }
    if (req.url === '/html/tensorflow-cpu/') {
      const links = Object.keys(wheels).map((f) => `<a href="/files/${f}#sha256=${sha(wheels[f]!)}">${f}</a><br/>`);
      return res.writeHead(200, { 'content-type': 'text/html' }).end(`<!DOCTYPE html><html><body>${links.join('\n')}</body></html>`);
    }
    if (req.url?.startsWith('/files/') && wheels[name]) return res.writeHead(200, { 'content-length': wheels[name]!.length }).end(wheels[name]);
    res.writeHead(404).end();
  });
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

describe('route 3: the TensorFlow CPU wheel from a package index', () => {
  it('chooses a Linux x86-64 wheel this glibc can load', () => {
    const ws = linuxWheels(
      'tensorflow-cpu',
      Object.keys(FILES).map((f) => ({ filename: f, url: f })),
    );
    expect(ws.map((w) => [w.version, w.glibc])).toEqual([
      ['2.11.1', '2.17'],
      ['2.21.0', '2.27'],
      ['2.21.0', '2.27'],
      ['2.99.0', '2.99'],
    ]);
    expect(chooseWheel(ws, 'latest', '2.36').wheel?.filename).toBe('tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl');
    expect(chooseWheel(ws, '2.99.0', '2.36').why).toBe('its 2.99.0 Linux wheels need glibc ≥ 2.99, this machine has 2.36');
    expect(chooseWheel(ws, '2.5.0', '2.36').why).toMatch(/^no Linux wheel of version 2\.5\.0/);
  });

  it('unpacks the C API libraries and the C headers into a libtensorflow folder', async () => {
    const cache = join(root, 'cache1');
    const r = await pypiRoute(testContext({ PIP_INDEX_URL: `${server.url}/simple/` }, cache));
    expect(r.outcome, r.detail).toBe('found');
    if (r.outcome !== 'found') return;
    expect(r.tensorflowVersion).toBe('2.21.0');
    expect(r.source).toBe('tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl');
    expect(r.folder.dir).toBe(join(cache, 'libtensorflow', 'pypi-tensorflow-cpu-2.21.0'));
    expect(r.folder.libEntries).toEqual(['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']);
    expect(r.folder.mainLib).toBe(join(r.folder.libDir, 'libtensorflow_cc.so.2'));
    for (const h of [
      'tensorflow/c/c_api.h',
      'tensorflow/c/eager/c_api.h',
      'tensorflow/core/platform/ctstring_internal.h',
      'tsl/platform/ctstring_internal.h',
      'xla/tsl/c/tsl_status.h',
    ]) {
      expect(existsSync(join(r.folder.includeDir, h)), h).toBe(true);
    }
    expect(existsSync(join(r.folder.includeDir, 'Eigen/Core'))).toBe(false);
    expect(existsSync(join(cache, 'downloads'))).toBe(true);
    expect(existsSync(join(cache, 'downloads', r.source))).toBe(false);
    if (hasToolchain) expect(await checkCApiSymbols(r.folder)).toMatchObject({ checked: true, missing: [] });
    // unpacked once: a pinned version is then found without the index (offline)
    const offline = await pypiRoute(testContext({ PIP_INDEX_URL: 'http://127.0.0.1:9/simple/' }, cache));
    expect(offline).toMatchObject({ outcome: 'found', source: r.source, detail: `${r.source} (unpacked earlier in ${r.folder.dir})` });
  });

  it('reads a PEP 503 HTML index and checks the digest it gives', async () => {
    const r = await pypiRoute(testContext({ PIP_INDEX_URL: `${server.url}/html` }, join(root, 'cache2'), [], 'latest'));
    expect(r.outcome, r.detail).toBe('found');
  });

  it('explains why a wheel before TensorFlow 2.12 cannot serve', async () => {
    const r = await pypiRoute(testContext({ PIP_INDEX_URL: `${server.url}/simple/` }, join(root, 'cache3'), [], '2.11.1'));
    expect(r.outcome).toBe('failed');
    expect(r.detail).toContain('no tensorflow/libtensorflow_cc.so.2 (wheels before TensorFlow 2.12)');
    expect(r.detail).toContain('cannot load without libpython');
  });

  it('reports an unreachable index, and a wheel whose digest does not match the index', async () => {
    const down = await pypiRoute(testContext({ PIP_INDEX_URL: 'http://127.0.0.1:9/simple/' }, join(root, 'cache4')));
    expect(down.outcome).toBe('failed');
    expect(down.detail).toMatch(/^the package index is not reachable: http:\/\/127\.0\.0\.1:9\/simple\/tensorflow-cpu\/: fetch failed/);
    const cache = join(root, 'cache6');
    const bad = await pypiRoute(testContext({ PIP_INDEX_URL: `${server.url}/bad/` }, cache));
    expect(bad.outcome).toBe('failed');
    expect(bad.detail).toContain(`/files/tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl: checksum mismatch: expected sha256 ${'0'.repeat(64)}`);
    expect(existsSync(join(cache, 'libtensorflow'))).toBe(false);
  });

  it('is skipped off Linux x86-64', async () => {
    const r = await pypiRoute({ ...testContext({}, join(root, 'cache5')), arch: 'arm64' });
    expect(r).toEqual({ outcome: 'skipped', detail: 'the tensorflow-cpu wheels are used on Linux x86-64 only (this is linux-arm64)' });
  });

  it('lists a zip’s members from its central directory', async () => {
    const f = join(root, 'w.zip');
    writeFileSync(f, zip({ 'a/b.txt': 'hello', c: new Uint8Array(0) }));
    expect((await listZip(f)).map((e) => [e.name, e.size])).toEqual([
      ['a/b.txt', 5],
      ['c', 0],
    ]);
  });
});
