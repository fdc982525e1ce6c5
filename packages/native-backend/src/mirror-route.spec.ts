import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readlinkSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mirrorRoute } from './mirror-route.js';
import { fakeLibtensorflow, loopback, tarGz, tempDir, testContext } from '../test/native-fixtures.js';

const ARCHIVE_PATH = '/tensorflow/libtensorflow/libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz';
const root = tempDir();
let server: Awaited<ReturnType<typeof loopback>>;
let archive: Buffer;
const notLibtensorflow = () => {
  const d = join(root, 'junk');
  mkdirSync(join(d, 'docs'), { recursive: true });
  writeFileSync(join(d, 'docs', 'README'), 'no libraries here\n');
  return readFileSync(tarGz(d, join(root, 'junk.tar.gz')));
};

beforeAll(async () => {
  archive = readFileSync(tarGz(fakeLibtensorflow(join(root, 'src')), join(root, 'libtensorflow.tar.gz')));
  const junk = notLibtensorflow();
  server = await loopback((req, res) => {
    const body = req.url === ARCHIVE_PATH || req.url === '/custom/lt-cpu-linux-x86_64-2.9.1.tar.gz' ? archive : req.url === `/junk${ARCHIVE_PATH}` ? junk : undefined;
    if (!body) return res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length }).end(body);
  });
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

describe('route 2: a TFJS_NODE_CDN_STORAGE / TFJS_NODE_BASE_URI mirror', () => {
  it('is skipped when no mirror variable is set', async () => {
    expect(await mirrorRoute(testContext({ PATH: '/bin' }, join(root, 'cache0')))).toEqual({
      outcome: 'skipped',
      detail: 'neither TFJS_NODE_BASE_URI nor TFJS_NODE_CDN_STORAGE is set',
    });
  });

  it('downloads the archive from the URL tfjs-node’s installer would use, unpacks it and reuses it', async () => {
    const cache = join(root, 'cache1');
    const lines: string[] = [];
    const env = { TFJS_NODE_CDN_STORAGE: `${server.url}/` };
    const before = server.requests.length;
    const r = await mirrorRoute(testContext(env, cache, lines));
    expect(r.outcome, r.detail).toBe('found');
    if (r.outcome !== 'found') return;
    expect(server.requests.slice(before)).toEqual([ARCHIVE_PATH]);
    expect(lines).toContain(`  TFJS_NODE_CDN_STORAGE=${server.url}/ → GET ${server.url}${ARCHIVE_PATH}`);
    expect(r.tensorflowVersion).toBe('2.9.1');
    expect(r.detail).toContain(`sha256 ${createHash('sha256').update(archive).digest('hex')}`);
    // unpacked with its symbolic links, into the cache; the downloaded archive is not kept
    expect(r.folder.dir.startsWith(join(cache, 'libtensorflow', 'mirror-'))).toBe(true);
    expect(readlinkSync(join(r.folder.libDir, 'libtensorflow.so.2'))).toBe('libtensorflow.so.2.9.1');
    expect(existsSync(join(r.folder.includeDir, 'tensorflow/c/eager/c_api.h'))).toBe(true);
    expect(existsSync(join(cache, 'downloads', 'libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz'))).toBe(false);
    // a second run finds it in the cache and asks the mirror for nothing
    const again = await mirrorRoute(testContext(env, cache));
    expect(again.outcome).toBe('found');
    expect(again.detail).toContain('unpacked earlier');
    expect(server.requests.length).toBe(before + 1);
  });

  it('honours TFJS_NODE_BASE_URI over TFJS_NODE_CDN_STORAGE, as the installer does', async () => {
    const r = await mirrorRoute(testContext({ TFJS_NODE_BASE_URI: `${server.url}/custom/lt-`, TFJS_NODE_CDN_STORAGE: 'http://127.0.0.1:9/' }, join(root, 'cache2')));
    expect(r.outcome, r.detail).toBe('found');
  });

  it('reports an HTTP error with the URL', async () => {
    const r = await mirrorRoute(testContext({ TFJS_NODE_BASE_URI: `${server.url}/missing/libtensorflow-` }, join(root, 'cache3')));
    expect(r).toEqual({ outcome: 'failed', detail: `${server.url}/missing/libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz: download failed: HTTP 404 Not Found` });
  });

  it('reports a mirror that does not answer', async () => {
    const r = await mirrorRoute(testContext({ TFJS_NODE_CDN_STORAGE: 'http://127.0.0.1:9/' }, join(root, 'cache4')));
    expect(r.outcome).toBe('failed');
    expect(r.detail).toMatch(/^http:\/\/127\.0\.0\.1:9\/tensorflow\/libtensorflow\/libtensorflow-cpu-linux-x86_64-2\.9\.1\.tar\.gz: download failed: fetch failed/);
  });

  it('checks LIBTENSORFLOW_SHA256 and keeps nothing on a mismatch', async () => {
    const cache = join(root, 'cache5');
    const r = await mirrorRoute(testContext({ TFJS_NODE_CDN_STORAGE: `${server.url}/`, LIBTENSORFLOW_SHA256: '0'.repeat(64) }, cache));
    expect(r.outcome).toBe('failed');
    expect(r.detail).toContain(`checksum mismatch: expected sha256 ${'0'.repeat(64)}, got ${createHash('sha256').update(archive).digest('hex')}`);
    expect(existsSync(join(cache, 'libtensorflow'))).toBe(false);
  });

  it('refuses an archive that is not libtensorflow', async () => {
    const r = await mirrorRoute(testContext({ TFJS_NODE_CDN_STORAGE: `${server.url}/junk/` }, join(root, 'cache6')));
    expect(r).toEqual({ outcome: 'failed', detail: `${server.url}/junk${ARCHIVE_PATH}: not a libtensorflow archive: no lib/ folder at its top level` });
  });
});
