import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../config/config-error.js';
import { ZipReader } from './zip-reader.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'elbo-zip-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const text = (n: number) => strToU8(Array.from({ length: n }, (_, i) => `line ${i}\n`).join(''));

async function bytesOf(zip: ZipReader, name: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of await zip.stream(name)) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

async function failure(p: Promise<unknown>): Promise<DataError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DataError);
  return e as DataError;
}

/** The offset of the first central directory record, to patch its fields. */
const central = (zip: Uint8Array) => Buffer.from(zip).indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));

describe('ZipReader', () => {
  it('lists members and streams them, stored and deflated, from a file or from bytes', async () => {
    const archive = zipSync({ 'a/stored.txt': [text(100), { level: 0 }], 'b.txt': text(5000), empty: new Uint8Array(0) });
    const file = join(dir, 'w.zip');
    await writeFile(file, archive);
    for (const zip of [await ZipReader.open(file), await ZipReader.open(archive, { file: 'mem.zip' })]) {
      expect(zip.members.map((m) => [m.name, m.method, m.size])).toEqual([
        ['a/stored.txt', 0, text(100).length],
        ['b.txt', 8, text(5000).length],
        ['empty', 8, 0],
      ]);
      expect((await bytesOf(zip, 'b.txt')).equals(Buffer.from(text(5000)))).toBe(true);
      expect((await bytesOf(zip, 'a/stored.txt')).equals(Buffer.from(text(100)))).toBe(true);
      expect((await bytesOf(zip, 'empty')).length).toBe(0);
      expect((await failure(zip.stream('nope'))).message).toBe(`${zip.file}: no member nope in the archive`);
      zip.close();
    }
  });

  it('names the archive and the member in every error', async () => {
    expect((await failure(ZipReader.open(join(dir, 'absent.zip')))).message).toBe(`${join(dir, 'absent.zip')}: file not found`);
    expect((await failure(ZipReader.open(strToU8('not a zip'), { file: 'x.npz', what: 'a .npz (zip) file' }))).message).toBe(
      'x.npz: not a .npz (zip) file: no end-of-central-directory record',
    );

    const archive = zipSync({ 'b.txt': text(5000) });
    const crc = Uint8Array.from(archive);
    crc[central(crc) + 16] ^= 0xff; // the directory's CRC-32
    const z1 = await ZipReader.open(crc, { file: 'crc.zip' });
    expect((await failure(bytesOf(z1, 'b.txt'))).message).toMatch(/^crc\.zip: b\.txt: CRC-32 mismatch \(directory 0x[0-9a-f]{8}, data 0x[0-9a-f]{8}\): the file is corrupt$/);

    const size = Uint8Array.from(archive);
    const view = new DataView(size.buffer);
    view.setUint32(central(size) + 24, view.getUint32(central(size) + 24, true) - 10, true); // uncompressed size
    const z2 = await ZipReader.open(size, { file: 'size.zip' });
    expect((await failure(bytesOf(z2, 'b.txt'))).message).toMatch(/^size\.zip: b\.txt: too many bytes in the stream\. expected \d+\. got at least \d+$/);

    const deflate = Uint8Array.from(archive);
    for (let i = 40; i < 60; i++) deflate[i] ^= 0x55; // inside the deflated data
    const z3 = await ZipReader.open(deflate, { file: 'deflate.zip' });
    expect((await failure(bytesOf(z3, 'b.txt'))).message).toMatch(/^deflate\.zip: b\.txt: broken deflate data: /);
  });
});
