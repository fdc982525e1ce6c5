import { describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '@elbo/core';
import { parseNpy } from './read-npy.js';
import { NpzFile, zipEntries } from './read-npz.js';
import { encodeNpy, encodeNpz } from './write-npz.js';
import { rejection, thrown, useTempDir } from '../../test/fixtures.js';

/**
 * A real .npz written by numpy 2.4.6: `np.savez_compressed(f, a=np.arange(6, dtype=np.int64).reshape(2, 3),
 * b=np.array([0.5, -1.25]), c=np.array([[0, 1], [1, 0]], dtype=np.uint8))`. Recent numpy streams its
 * members with forced zip64 local headers (sizes 0xffffffff there, real ones in the central directory).
 */
const NUMPY_NPZ =
  'UEsDBC0AAAAIAAAAIQBZm9p9//////////8FABQAYS5ucHkBABAAsAAAAAAAAABWAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loG6TaaGuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GkY6CsaaOgq1CmQDLgYoYITSTFCaGUqzQGlWKA0AUEsDBC0AAAAIAAAAIQC4EdbF//////////8FABQAYi5ucHkBABAAkAAAAAAAAABNAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loG6TZqGuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GkY6mjoKtQoUAC4GMHhgD6G/7AcAUEsDBC0AAAAIAAAAIQAlIPlk//////////8FABQAYy5ucHkBABAAhAAAAAAAAABKAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loF5Taqiuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GkY6CkaaOgq1CmQDLgZGRgYAUEsBAi0DLQAAAAgAAAAhAFmb2n1WAAAAsAAAAAUAAAAAAAAAAAAAAIABAAAAAGEubnB5UEsBAi0DLQAAAAgAAAAhALgR1sVNAAAAkAAAAAUAAAAAAAAAAAAAAIABjQAAAGIubnB5UEsBAi0DLQAAAAgAAAAhACUg+WRKAAAAhAAAAAUAAAAAAAAAAAAAAIABEQEAAGMubnB5UEsFBgAAAAADAAMAmQAAAJIBAAAAAA==';

const dir = useTempDir('npz');
const dataError = (p: Promise<unknown>) => rejection(p, DataError);
const dataErrorOf = (f: () => unknown) => thrown(f, DataError);

describe('NpzFile', () => {
  it('reads an .npz written by numpy (deflated members, zip64 local headers)', async () => {
    const file = join(dir(), 'numpy.npz');
    await writeFile(file, Buffer.from(NUMPY_NPZ, 'base64'));
    const npz = await NpzFile.open(file);
    expect(npz.names).toEqual(['a', 'b', 'c']);
    expect(npz.entries.map((e) => [e.method, e.size])).toEqual([
      [8, 176],
      [8, 144],
      [8, 132],
    ]);
    const a = parseNpy(await npz.read('a'), file, 'a');
    expect([a.descr, a.shape]).toEqual(['<i8', [2, 3]]);
    expect(Array.from(new BigInt64Array(a.data.slice().buffer))).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
    const b = parseNpy(await npz.read('b'), file, 'b');
    expect([b.descr, b.shape, Array.from(new Float64Array(b.data.slice().buffer))]).toEqual(['<f8', [2], [0.5, -1.25]]);
    const c = parseNpy(await npz.read('c'), file, 'c');
    expect((await dataError(npz.read('absent'))).message).toBe(`${file}: array "absent" is missing (the file holds: a, b, c)`);
    expect([c.descr, c.shape, Array.from(c.data)]).toEqual(['|u1', [2, 2], [0, 1, 1, 0]]);
  });

  it('round-trips our writer, stored and deflated', async () => {
    const values = Float64Array.from([1, 2.5, -3]);
    for (const compress of [false, true]) {
      const file = join(dir(), `ours-${compress}.npz`);
      await writeFile(file, encodeNpz({ x: encodeNpy('<f8', [3], values), y: encodeNpy('|u1', [2], Uint8Array.from([7, 9])) }, { compress }));
      const npz = await NpzFile.open(file);
      const x = parseNpy(await npz.read('x'), file, 'x');
      expect(Array.from(new Float64Array(x.data.slice().buffer))).toEqual([1, 2.5, -3]);
      expect(Array.from(parseNpy(await npz.read('y'), file, 'y').data)).toEqual([7, 9]);
      // Streaming hands over the same bytes in order.
      const parts: number[] = [];
      await npz.stream('y', (chunk) => parts.push(...chunk));
      expect(parts).toEqual(Array.from(await npz.read('y')));
    }
  });

  it('fails precisely on missing, non-zip and corrupt files', async () => {
    const missing = join(dir(), 'nope.npz');
    expect((await dataError(NpzFile.open(missing))).message).toBe(`${missing}: file not found`);
    const text = join(dir(), 'text.npz');
    await writeFile(text, 'just some text, not a zip archive');
    expect((await dataError(NpzFile.open(text))).message).toBe(`${text}: not a .npz (zip) file: no end-of-central-directory record`);
    // Flip one data byte of a stored member: the CRC-32 check catches it.
    const zip = encodeNpz({ a: encodeNpy('|u1', [4], Uint8Array.from([1, 2, 3, 4])) });
    zip[30 + 'a.npy'.length + 64 + 2] ^= 0xff;
    const corrupt = join(dir(), 'corrupt.npz');
    await writeFile(corrupt, zip);
    expect((await dataError(NpzFile.open(corrupt).then((z) => z.read('a')))).message).toMatch(
      /corrupt\.npz: a\.npy: CRC-32 mismatch \(directory 0x[0-9a-f]{8}, data 0x[0-9a-f]{8}\): the file is corrupt$/,
    );
    const cut = join(dir(), 'cut.npz');
    const whole = encodeNpz({ a: encodeNpy('|u1', [4], Uint8Array.from([1, 2, 3, 4])) }, { compress: true });
    await writeFile(cut, whole.subarray(0, whole.length - 30));
    expect((await dataError(NpzFile.open(cut))).message).toMatch(/no end-of-central-directory record|broken zip central directory/);
    expect((await zipEntries(whole, 'w')).map((e) => [e.name, e.method])).toEqual([['a.npy', 8]]);
  });
});

describe('parseNpy', () => {
  const good = encodeNpy('<i8', [2, 2], BigInt64Array.from([1n, 2n, 3n, 4n]));

  it('reads the header: dtype, shape, data offset on a 64-byte boundary', () => {
    const a = parseNpy(good, 'f', 'a');
    expect([a.descr, a.itemSize, a.shape, a.data.length, a.data.byteOffset % 64]).toEqual(['<i8', 8, [2, 2], 32, 0]);
    expect(parseNpy(encodeNpy('<f8', [0], new Float64Array(0)), 'f', 'e').shape).toEqual([0]);
    expect(parseNpy(encodeNpy('|u1', [], Uint8Array.from([5])), 'f', 's').shape).toEqual([]);
  });

  it('names the file and array in every error, with expected vs actual', () => {
    expect(dataErrorOf(() => parseNpy(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 'x.npz', 'imgs')).message).toBe('x.npz: imgs: not an NPY array (no \\x93NUMPY magic)');
    expect(dataErrorOf(() => parseNpy(good.subarray(0, good.length - 3), 'x.npz', 'imgs')).message).toBe(
      "x.npz: imgs: truncated: shape (2, 2) of '<i8' needs 32 data bytes, the array has 29 (3 missing)",
    );
    const long = new Uint8Array(good.length + 8);
    long.set(good);
    expect(dataErrorOf(() => parseNpy(long, 'x.npz', 'imgs')).message).toBe("x.npz: imgs: 8 unexpected bytes after the (2, 2) values of '<i8' the header declares");
    expect(dataErrorOf(() => parseNpy(encodeNpy('|O', [1], new Uint8Array(8)), 'x.npz', 'metadata')).message).toBe(
      "x.npz: metadata: unsupported dtype '|O' (only simple numeric dtypes are read; object arrays need Python's pickle)",
    );
    expect(dataErrorOf(() => parseNpy(encodeNpy('>f8', [1], new Float64Array(1)), 'x.npz', 'v')).message).toBe("x.npz: v: big-endian dtype '>f8' is not supported");
    const fortran = new TextDecoder('latin1').decode(good).replace("'fortran_order': False", "'fortran_order': True ");
    expect(
      dataErrorOf(() =>
        parseNpy(
          Uint8Array.from(fortran, (ch) => ch.charCodeAt(0)),
          'x.npz',
          'v',
        ),
      ).message,
    ).toBe('x.npz: v: Fortran-order arrays are not supported (save with C order)');
  });
});
