import { describe, expect, it } from 'vitest';
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, DataError, Rng } from '@elbo/core';
import { encodeIdx, writeIdx } from './write-idx.js';
import { loadIdx, defaultIdxName } from './load-idx.js';
import type { IdxOptionsInput } from './idx-options.js';
import { rejection, useTempDir } from '../../test/fixtures.js';

const [ROWS, COLS, NTRAIN, NTEST] = [6, 7, 20, 10];
const trainPixels = Uint8Array.from({ length: NTRAIN * ROWS * COLS }, (_, i) => (i * 31 + 7) % 256);
const testPixels = Uint8Array.from({ length: NTEST * ROWS * COLS }, (_, i) => (i * 17) % 256);
const trainLabels = Uint8Array.from({ length: NTRAIN }, (_, i) => i % 10);
const testLabels = Uint8Array.from({ length: NTEST }, (_, i) => (i * 3) % 7);

const root = useTempDir('load-idx');
let n = 0;
/** A fresh folder with the four files; train raw, test gzip (or as `gz` says); `patch` overrides one file. */
async function fixture(opts: { gz?: boolean; dotted?: boolean; patch?: Record<string, Uint8Array> } = {}): Promise<string> {
  const dir = join(root(), `set${n++}`);
  await mkdir(dir);
  const name = (b: string) => (opts.dotted ? b.replace(/-(idx\d-ubyte)$/, '.$1') : b);
  await writeIdx(join(dir, name('train-images-idx3-ubyte')), [NTRAIN, ROWS, COLS], trainPixels);
  await writeIdx(join(dir, name('train-labels-idx1-ubyte')), [NTRAIN], trainLabels);
  const gz = opts.gz ?? true;
  await writeIdx(join(dir, name('t10k-images-idx3-ubyte') + (gz ? '.gz' : '')), [NTEST, ROWS, COLS], testPixels, gz);
  await writeIdx(join(dir, name('t10k-labels-idx1-ubyte') + (gz ? '.gz' : '')), [NTEST], testLabels, gz);
  for (const [file, bytes] of Object.entries(opts.patch ?? {})) await writeFile(join(dir, file), bytes);
  return dir;
}

function readAll(split: { size: number; dim: number; read(i: ArrayLike<number>, o: Float32Array): void }): Float32Array {
  const out = new Float32Array(split.size * split.dim);
  split.read(
    Int32Array.from({ length: split.size }, (_, i) => i),
    out,
  );
  return out;
}

const dataError = (options: IdxOptionsInput) => rejection(loadIdx(options), DataError);

describe('loadIdx from a folder', () => {
  it('reads raw + gzip files: shapes, labels, pixels scaled to [0,1] in file order', async () => {
    const dir = await fixture();
    const d = await loadIdx({ dir, binarize: 'none' });
    expect([d.name, d.shape, d.support, d.numClasses]).toEqual([`set0`, [ROWS, COLS, 1], 'binary', 10]);
    expect([d.train.size, d.test.size, d.train.dim]).toEqual([NTRAIN, NTEST, ROWS * COLS]);
    expect(Array.from(d.train.labels!)).toEqual(Array.from(trainLabels));
    expect(d.test.labels).toBeInstanceOf(Int32Array);
    expect(Array.from(readAll(d.train))).toEqual(Array.from(trainPixels, (b) => Math.fround(b * (1 / 255))));
    expect(Array.from(readAll(d.test))).toEqual(Array.from(testPixels, (b) => Math.fround(b * (1 / 255))));
    expect(d.trainTransform).toBeUndefined();
    expect(d.describe()).toContain(`train ${NTRAIN}, test ${NTEST}`);
  });

  it('accepts all-gzip, all-raw and dotted file names; limit takes prefixes', async () => {
    for (const f of [{ gz: false }, { dotted: true }]) {
      const d = await loadIdx({ dir: await fixture(f), binarize: 'none', limit: { train: 5, test: 3 } });
      expect([d.train.size, d.test.size]).toEqual([5, 3]);
      expect(Array.from(d.train.labels!)).toEqual([0, 1, 2, 3, 4]);
      expect(readAll(d.test)[ROWS * COLS]).toBeCloseTo(testPixels[ROWS * COLS]! / 255, 6);
    }
  });

  it('binarises: dynamic (test fixed across seeds) and static (run seed)', async () => {
    const dir = await fixture();
    const a = await loadIdx({ dir }, { rng: new Rng(1) });
    const b = await loadIdx({ dir }, { rng: new Rng(2) });
    expect(a.trainTransform?.name).toBe('binarize/dynamic');
    const ta = readAll(a.test);
    expect(ta.every((v) => v === 0 || v === 1)).toBe(true);
    expect(Array.from(readAll(b.test))).toEqual(Array.from(ta));
    const s = await loadIdx({ dir, binarize: 'static' }, { rng: new Rng(1) });
    const s2 = await loadIdx({ dir, binarize: 'static' }, { rng: new Rng(1) });
    expect(readAll(s.train).every((v) => v === 0 || v === 1)).toBe(true);
    expect(Array.from(readAll(s2.train))).toEqual(Array.from(readAll(s.train)));
  });

  it('label count ≠ image count: one DataError naming the labels file, expected and actual', async () => {
    const dir = await fixture({ patch: { 'train-labels-idx1-ubyte': encodeIdx([NTRAIN - 1], trainLabels.subarray(1)) } });
    const e = await dataError({ dir });
    expect(e.file).toBe(join(dir, 'train-labels-idx1-ubyte'));
    expect(e.message).toBe(`${join(dir, 'train-labels-idx1-ubyte')}: label count does not match: expected 20 labels (one per image in train-images-idx3-ubyte), got 19`);
  });

  it('wrong magic and truncated files fail with the file named', async () => {
    const swapped = await fixture({ patch: { 'train-images-idx3-ubyte': encodeIdx([NTRAIN], trainLabels) } });
    expect((await dataError({ dir: swapped })).message).toBe(
      `${join(swapped, 'train-images-idx3-ubyte')}: wrong magic number: expected 0x00000803 (unsigned bytes, 3 dimensions), got 0x00000801 (unsigned bytes, 1 dimension)`,
    );
    const cut = await fixture({ gz: false, patch: { 't10k-images-idx3-ubyte': encodeIdx([NTEST, ROWS, COLS], testPixels).subarray(0, 100) } });
    expect((await dataError({ dir: cut })).message).toBe(
      `${join(cut, 't10k-images-idx3-ubyte')}: truncated: the header declares 10×6×7 = 420 values, i.e. 436 bytes with the 16-byte header, but the file has 100 (336 missing)`,
    );
    const odd = await fixture({ gz: false, patch: { 't10k-images-idx3-ubyte': encodeIdx([NTEST, COLS, ROWS], testPixels) } });
    expect((await dataError({ dir: odd })).message).toMatch(/t10k-images-idx3-ubyte: image size does not match: expected 6×7 like train-images-idx3-ubyte, got 7×6$/);
  });

  it('missing files and folders are named', async () => {
    const dir = join(root(), 'empty');
    await mkdir(dir);
    expect((await dataError({ dir })).message).toBe(
      `${join(dir, 'train-images-idx3-ubyte')}: not found (looked for train-images-idx3-ubyte, train-images-idx3-ubyte.gz, train-images.idx3-ubyte, train-images.idx3-ubyte.gz in ${dir})`,
    );
    expect((await dataError({ dir: join(root(), 'nope') })).message).toMatch(/nope: folder not found/);
  });
});

describe('idx options', () => {
  const problems = async (o: unknown) => (await rejection(loadIdx(o as IdxOptionsInput), ConfigError)).problems;
  const digest = 'ab'.repeat(32);

  it('needs exactly one source and full digests with url', async () => {
    expect(await problems({})).toEqual(['idx: give `dir` (a folder holding the IDX files) or `url` (a base URL to download them from, with `sha256`)']);
    expect(await problems({ dir: '/x', url: 'http://h/' })).toContain('idx.url: give either `dir` or `url`, not both');
    expect(await problems({ url: 'ftp://h/x' })).toEqual([
      'idx.url: expected an http(s) URL, got "ftp://h/x"',
      'idx.sha256: required with `url`: the SHA-256 of each file to download, e.g. { "train-images-idx3-ubyte.gz": "<64 hex digits>", … }',
    ]);
    const p = await problems({
      url: 'http://h/',
      sha256: { 'train-images-idx3-ubyte.gz': digest, 'train-images-idx3-ubyte': digest, 'readme.txt': digest, 't10k-labels-idx1-ubyte': 'xyz' },
    });
    expect(p).toContain('idx.sha256.t10k-labels-idx1-ubyte: expected a SHA-256 digest (64 hex digits), got "xyz"');
    expect(p).toContain(
      'idx.sha256.readme.txt: unknown file; expected the IDX file names train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each optionally with .gz)',
    );
    expect(p).toContain('idx.sha256: digests for both train-images-idx3-ubyte and train-images-idx3-ubyte.gz: keep the one to download');
    expect(p).toContain('idx.sha256: missing a digest for train-labels-idx1-ubyte (or train-labels-idx1-ubyte.gz)');
    expect(await problems({ dir: '/x', cache: '/c', limit: { train: -3 } })).toEqual(['idx.limit.train: expected a positive integer, got -3', 'idx.cache: only used with `url`']);
  });

  it('names the dataset after the folder or the URL', () => {
    expect(defaultIdxName({ dir: '/data/fashion-mnist/' })).toBe('fashion-mnist');
    expect(defaultIdxName({ url: 'https://example.org/datasets/mnist/' })).toBe('example.org-datasets-mnist');
    expect(defaultIdxName({ url: 'https://x/', name: 'kmnist' })).toBe('kmnist');
  });
});
