import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLibtensorflow } from './find-libtensorflow.js';
import { fakeLibtensorflow, hasToolchain, loopback, tarGz, tempDir, testContext } from '../test/native-fixtures.js';

const root = tempDir();
let mirror: Awaited<ReturnType<typeof loopback>>;

beforeAll(async () => {
  const archive = readFileSync(tarGz(fakeLibtensorflow(join(root, 'mirrored')), join(root, 'lt.tar.gz')));
  mirror = await loopback((req, res) => {
    if (req.url?.endsWith('/libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz')) return res.writeHead(200).end(archive);
    res.writeHead(404).end();
  });
});
afterAll(async () => {
  await mirror.close();
  rmSync(root, { recursive: true, force: true });
});

describe('findLibtensorflow: the routes in order, each attempt reported', () => {
  it('takes LIBTENSORFLOW_DIR first and does not try the others', async () => {
    const lines: string[] = [];
    const dir = fakeLibtensorflow(join(root, 'local'));
    const { found, attempts } = await findLibtensorflow(testContext({ LIBTENSORFLOW_DIR: dir, TFJS_NODE_CDN_STORAGE: `${mirror.url}/` }, join(root, 'c1'), lines));
    expect(found?.route).toBe('folder');
    expect(attempts.map((a) => [a.route, a.outcome])).toEqual([['folder', 'found']]);
    expect(lines[0]).toBe('1. existing folder (LIBTENSORFLOW_DIR): trying');
    expect(lines[1]).toMatch(/^1\. existing folder \(LIBTENSORFLOW_DIR\): found — /);
    expect(lines[1]).toContain(hasToolchain ? 'exports all 55 C API symbols the binding imports' : 'C API symbols not checked');
  });

  it('falls through a failed folder to the mirror, and reports both', async () => {
    const lines: string[] = [];
    const { found, attempts } = await findLibtensorflow(
      testContext({ LIBTENSORFLOW_DIR: join(root, 'nowhere'), TFJS_NODE_CDN_STORAGE: `${mirror.url}/` }, join(root, 'c2'), lines),
    );
    expect(attempts.map((a) => [a.route, a.outcome])).toEqual([
      ['folder', 'failed'],
      ['mirror', 'found'],
    ]);
    expect(found?.route).toBe('mirror');
    expect(found?.source).toBe(`${mirror.url}/tensorflow/libtensorflow/libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz`);
    expect(lines).toContain(
      `1. existing folder (LIBTENSORFLOW_DIR): failed — LIBTENSORFLOW_DIR=${join(root, 'nowhere')} is not a libtensorflow folder: ${join(root, 'nowhere')}: no such folder`,
    );
  });

  it.skipIf(!hasToolchain)('refuses a library that lacks C API symbols the binding imports, naming them', async () => {
    const dir = fakeLibtensorflow(join(root, 'old'), { omit: ['TFE_ContextListDevices'] });
    const { attempts } = await findLibtensorflow(testContext({ LIBTENSORFLOW_DIR: dir, PIP_INDEX_URL: 'http://127.0.0.1:9/' }, join(root, 'c3')));
    expect(attempts[0]).toMatchObject({ route: 'folder', outcome: 'failed' });
    expect(attempts[0]!.detail).toContain('do not export 1 C API symbols the binding imports: TFE_ContextListDevices');
  });

  it('reports every route when none works', async () => {
    const { found, attempts } = await findLibtensorflow(testContext({ TFJS_NODE_BASE_URI: `${mirror.url}/nothing-`, PIP_INDEX_URL: `${mirror.url}/simple/` }, join(root, 'c4')));
    expect(found).toBeUndefined();
    expect(attempts.map((a) => [a.route, a.outcome])).toEqual([
      ['folder', 'skipped'],
      ['mirror', 'failed'],
      ['pypi', 'failed'],
    ]);
    expect(attempts[1]!.detail).toContain('HTTP 404');
    expect(attempts[2]!.detail).toBe(`the package index is not reachable: ${mirror.url}/simple/tensorflow-cpu/: HTTP 404 Not Found`);
  });
});
