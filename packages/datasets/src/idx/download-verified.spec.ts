import { describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { DataError, SilentLogger, type Logger } from '@elbo/core';
import { downloadVerified, sha256Hex } from './download-verified.js';
import { encodeIdx } from './write-idx.js';
import { loadIdx } from './load-idx.js';
import { rejection, useHttpServer, useTempDir } from '../../test/fixtures.js';

/** Files the test server serves, by path, and how often each was requested. */
const served = new Map<string, Uint8Array>();
const requests: string[] = [];
const root = useTempDir('download');
const base = useHttpServer((req, res) => {
  requests.push(req.url ?? '');
  const body = served.get(req.url ?? '');
  if (!body) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('no such file');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
});
let n = 0;
const freshDir = async () => {
  const d = join(root(), `cache${n++}`);
  await mkdir(d);
  return d;
};

const dataError = (p: Promise<unknown>) => rejection(p, DataError);

describe('downloadVerified', () => {
  const body = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) % 251);
  const digest = sha256Hex(body);

  it('downloads, verifies and caches; a second call makes no request', async () => {
    served.set('/a.bin', body);
    const dir = await freshDir();
    const file = join(dir, 'a.bin');
    expect(await downloadVerified(`${base()}/a.bin`, file, digest.toUpperCase(), new SilentLogger())).toBe('downloaded');
    expect(new Uint8Array(await readFile(file))).toEqual(body);
    const before = requests.length;
    expect(await downloadVerified(`${base()}/a.bin`, file, digest, new SilentLogger())).toBe('cached');
    expect(requests.length).toBe(before);
    expect(await readdir(dir)).toEqual(['a.bin']);
  });

  it('checksum mismatch: DataError with URL, expected and actual digest; nothing left in the cache', async () => {
    served.set('/b.bin', body);
    const dir = await freshDir();
    const wrong = '0'.repeat(64);
    const e = await dataError(downloadVerified(`${base()}/b.bin`, join(dir, 'b.bin'), wrong, new SilentLogger()));
    expect(e.file).toBe(`${base()}/b.bin`);
    expect(e.message).toBe(`${base()}/b.bin: checksum mismatch: expected sha256 ${wrong}, got ${digest} (5000 bytes); the download was discarded, nothing was written to ${dir}`);
    expect(await readdir(dir)).toEqual([]);
  });

  it('HTTP 404 and refused connections are clear DataErrors', async () => {
    const dir = await freshDir();
    const e = await dataError(downloadVerified(`${base()}/missing.gz`, join(dir, 'missing.gz'), digest, new SilentLogger()));
    expect(e.message).toBe(`${base()}/missing.gz: download failed: HTTP 404 Not Found`);
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((ok) => closed.close(() => ok()));
    const refused = await dataError(downloadVerified(`http://127.0.0.1:${port}/x`, join(dir, 'x'), digest, new SilentLogger()));
    expect(refused.message).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/x: download failed: fetch failed \(.*ECONNREFUSED/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('replaces a cached file whose digest is wrong, with a warning', async () => {
    served.set('/c.bin', body);
    const dir = await freshDir();
    const file = join(dir, 'c.bin');
    await writeFile(file, 'stale');
    const warnings: string[] = [];
    const logger: Logger = { info: () => {}, debug: () => {}, warn: (m) => warnings.push(m) };
    expect(await downloadVerified(`${base()}/c.bin`, file, digest, logger)).toBe('downloaded');
    expect(sha256Hex(await readFile(file))).toBe(digest);
    expect(warnings[0]).toMatch(/c\.bin: cached copy has sha256 [0-9a-f]{64}, expected [0-9a-f]{64}; downloading it again$/);
  });
});

describe('loadIdx from a URL', () => {
  it('downloads the four files once into the cache, then loads from it', async () => {
    const files: Record<string, Uint8Array> = {
      'train-images-idx3-ubyte.gz': gzipSync(
        encodeIdx(
          [12, 4, 4],
          Uint8Array.from({ length: 192 }, (_, i) => i),
        ),
      ),
      'train-labels-idx1-ubyte.gz': gzipSync(
        encodeIdx(
          [12],
          Uint8Array.from({ length: 12 }, (_, i) => i % 10),
        ),
      ),
      't10k-images-idx3-ubyte': encodeIdx([3, 4, 4], new Uint8Array(48).fill(255)),
      't10k-labels-idx1-ubyte': encodeIdx([3], Uint8Array.from([9, 8, 7])),
    };
    const sha256: Record<string, string> = {};
    for (const [name, bytes] of Object.entries(files)) {
      served.set(`/fashion/${name}`, bytes);
      sha256[name] = sha256Hex(bytes);
    }
    const cache = join(root(), 'url-cache');
    const before = requests.length;
    const options = { url: `${base()}/fashion/`, sha256, cache, binarize: 'none' } as const;
    const d = await loadIdx(options);
    expect(requests.slice(before).sort()).toEqual(
      Object.keys(files)
        .map((f) => `/fashion/${f}`)
        .sort(),
    );
    expect([d.train.size, d.test.size, d.shape]).toEqual([12, 3, [4, 4, 1]]);
    expect(Array.from(d.test.labels!)).toEqual([9, 8, 7]);
    expect((await readdir(cache)).sort()).toEqual(Object.keys(files).sort());
    const again = await loadIdx(options);
    expect(requests.length).toBe(before + 4);
    expect(again.describe()).toBe(d.describe());

    const bad = { ...sha256, 't10k-labels-idx1-ubyte': 'f'.repeat(64) };
    const badCache = join(root(), 'bad-cache');
    const e = await dataError(loadIdx({ url: `${base()}/fashion`, sha256: bad, cache: badCache }));
    expect(e.message).toMatch(/\/fashion\/t10k-labels-idx1-ubyte: checksum mismatch: expected sha256 f{64}, got [0-9a-f]{64}/);
    expect((await readdir(badCache)).sort()).toEqual(
      Object.keys(files)
        .filter((f) => f !== 't10k-labels-idx1-ubyte')
        .sort(),
    );
  });
});
