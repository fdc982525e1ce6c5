import { describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataError } from '@elbo/core';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, describeMagic, parseIdx, readIdx } from './read-idx.js';
import { encodeIdx, writeIdx } from './write-idx.js';
import { rejection, useTempDir } from '../../test/fixtures.js';

const pixels = Uint8Array.from({ length: 3 * 4 * 5 }, (_, i) => (i * 37) % 256);

const dir = useTempDir('read-idx');
const dataError = (p: Promise<unknown>) => rejection(p, DataError);

describe('IDX encoding', () => {
  it('writes the magic number and big-endian sizes', () => {
    const bytes = encodeIdx([3, 4, 5], pixels);
    expect(Array.from(bytes.subarray(0, 16))).toEqual([0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5]);
    const parsed = parseIdx(bytes, 'x', IDX_IMAGES_MAGIC);
    expect(parsed.shape).toEqual([3, 4, 5]);
    expect(parsed.magic).toBe(IDX_IMAGES_MAGIC);
    expect(Array.from(parsed.data)).toEqual(Array.from(pixels));
    expect(describeMagic(IDX_LABELS_MAGIC)).toBe('0x00000801 (unsigned bytes, 1 dimension)');
  });
});

describe('readIdx', () => {
  it('reads raw and gzip files back', async () => {
    await writeIdx(join(dir(), 'raw'), [3, 4, 5], pixels);
    await writeIdx(join(dir(), 'packed.gz'), [3, 4, 5], pixels, true);
    for (const f of ['raw', 'packed.gz']) {
      const a = await readIdx(join(dir(), f), IDX_IMAGES_MAGIC);
      expect(a.shape).toEqual([3, 4, 5]);
      expect(Array.from(a.data)).toEqual(Array.from(pixels));
    }
  });

  it('wrong magic number: names the file, expected and actual', async () => {
    const file = join(dir(), 'labels-not-images');
    await writeIdx(file, [6], pixels.subarray(0, 6));
    const e = await dataError(readIdx(file, IDX_IMAGES_MAGIC));
    expect(e.file).toBe(file);
    expect(e.message).toBe(`${file}: wrong magic number: expected 0x00000803 (unsigned bytes, 3 dimensions), got 0x00000801 (unsigned bytes, 1 dimension)`);
    const junk = join(dir(), 'junk');
    await writeFile(junk, Buffer.from('PNG is not IDX'));
    expect((await dataError(readIdx(junk, IDX_LABELS_MAGIC))).message).toBe(
      `${junk}: wrong magic number: expected 0x00000801 (unsigned bytes, 1 dimension), got 0x504e4720 (not an IDX header)`,
    );
  });

  it('truncated data: says how many bytes the header promises and how many there are', async () => {
    const file = join(dir(), 'truncated');
    await writeFile(file, encodeIdx([3, 4, 5], pixels).subarray(0, 50));
    expect((await dataError(readIdx(file, IDX_IMAGES_MAGIC))).message).toBe(
      `${file}: truncated: the header declares 3×4×5 = 60 values, i.e. 76 bytes with the 16-byte header, but the file has 50 (26 missing)`,
    );
    const gz = join(dir(), 'truncated.gz');
    await writeFile(gz, gzipSync(encodeIdx([3, 4, 5], pixels).subarray(0, 50)));
    expect((await dataError(readIdx(gz))).message).toMatch(/truncated: .* but the file has 50 after gunzip \(26 missing\)$/);
  });

  it('truncated header, trailing bytes and broken gzip are errors too', async () => {
    const short = join(dir(), 'short');
    await writeFile(short, encodeIdx([3, 4, 5], pixels).subarray(0, 10));
    expect((await dataError(readIdx(short))).message).toBe(`${short}: truncated: the header of 3 dimensions needs 16 bytes, the file has 10`);
    const long = join(dir(), 'long');
    await writeFile(long, Buffer.concat([encodeIdx([3, 4, 5], pixels), Buffer.from([1, 2])]));
    expect((await dataError(readIdx(long))).message).toBe(`${long}: 2 unexpected bytes after the 3×4×5 values the header declares (expected 76 bytes, got 78)`);
    const badGz = join(dir(), 'bad.gz');
    await writeFile(badGz, gzipSync(encodeIdx([3, 4, 5], pixels)).subarray(0, 30));
    expect((await dataError(readIdx(badGz))).message).toMatch(/bad\.gz: not a valid gzip file: /);
    expect((await dataError(readIdx(join(dir(), 'absent')))).message).toBe(`${join(dir(), 'absent')}: file not found`);
  });
});
