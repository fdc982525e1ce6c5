import { readFile } from 'node:fs/promises';
import { createInflateRaw, crc32 } from 'node:zlib';
import { DataError } from '@elbo/core';

/** One member of a zip archive, from its central directory. */
export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflated. */
  readonly method: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/**
 * Lists the members of a zip archive (an .npz is a zip of `<name>.npy` members, stored by `np.savez`
 * or deflated by `np.savez_compressed`). Reads the end-of-central-directory record (and its zip64
 * form, which recent numpy versions write), then the central directory, whose sizes are
 * authoritative (numpy streams members, so local headers may hold zeros). Multi-disk archives and
 * encryption are not supported.
 */
export function zipEntries(zip: Uint8Array, file: string): ZipEntry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = -1;
  for (let p = zip.length - 22; p >= Math.max(0, zip.length - 22 - 0xffff); p--) {
    if (view.getUint32(p, true) === EOCD) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) throw new DataError(file, 'not a .npz (zip) file: no end-of-central-directory record');
  let count = view.getUint16(eocd + 10, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if ((count === 0xffff || cdOffset === 0xffffffff) && eocd >= 20 && view.getUint32(eocd - 20, true) === ZIP64_LOCATOR) {
    const z = Number(view.getBigUint64(eocd - 12, true));
    if (z + 56 > zip.length || view.getUint32(z, true) !== ZIP64_EOCD) throw new DataError(file, 'broken zip64 end-of-central-directory record');
    count = Number(view.getBigUint64(z + 32, true));
    cdOffset = Number(view.getBigUint64(z + 48, true));
  }
  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > zip.length || view.getUint32(p, true) !== CENTRAL) throw new DataError(file, `broken zip central directory at byte ${p} (entry ${i + 1} of ${count})`);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    let compressedSize = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    let localHeaderOffset = view.getUint32(p + 42, true);
    const name = new TextDecoder().decode(zip.subarray(p + 46, p + 46 + nameLength));
    // Zip64 extended information (header id 1): the 64-bit values of the fields saturated at 0xffffffff, in order.
    for (let e = p + 46 + nameLength; e + 4 <= p + 46 + nameLength + extraLength; ) {
      const id = view.getUint16(e, true);
      const length = view.getUint16(e + 2, true);
      if (id === 1) {
        let q = e + 4;
        const next = () => {
          const v = Number(view.getBigUint64(q, true));
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
      }
      e += 4 + length;
    }
    entries.push({ name, method: view.getUint16(p + 10, true), crc: view.getUint32(p + 16, true), compressedSize, size, localHeaderOffset });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Where a member's data starts: after its local header, whose name and extra lengths may differ from the directory's. */
function dataStart(zip: Uint8Array, entry: ZipEntry, file: string): number {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const at = entry.localHeaderOffset;
  if (at + 30 > zip.length || view.getUint32(at, true) !== LOCAL) throw new DataError(file, `${entry.name}: broken zip local header at byte ${at}`);
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  if (start + entry.compressedSize > zip.length) {
    throw new DataError(file, `${entry.name}: truncated: the zip directory declares ${entry.compressedSize} bytes from byte ${start}, the file ends at ${zip.length}`);
  }
  return start;
}

const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/**
 * Streams one member's decompressed bytes to `sink` in order (chunks of up to 1 MiB), checking its
 * size and CRC-32 at the end, so a member larger than memory allows (dSprites' 3 GB `imgs.npy`) can
 * be consumed as it inflates. An exception thrown by `sink` stops the stream and rejects with it.
 */
export function streamZipEntry(zip: Uint8Array, entry: ZipEntry, file: string, sink: (chunk: Uint8Array) => void): Promise<void> {
  const start = dataStart(zip, entry, file);
  const packed = zip.subarray(start, start + entry.compressedSize);
  let crc = 0;
  let n = 0;
  const finish = () => {
    if (n !== entry.size) throw new DataError(file, `${entry.name}: expected ${entry.size} bytes after decompression, got ${n}`);
    if (crc >>> 0 !== entry.crc >>> 0) throw new DataError(file, `${entry.name}: CRC-32 mismatch (directory ${hex(entry.crc)}, data ${hex(crc)}): the file is corrupt`);
  };
  const take = (chunk: Uint8Array) => {
    crc = crc32(chunk, crc);
    n += chunk.length;
    sink(chunk);
  };
  if (entry.method === 0) {
    return new Promise((resolve) => {
      for (let p = 0; p < packed.length; p += 1 << 20) take(packed.subarray(p, Math.min(packed.length, p + (1 << 20))));
      finish();
      resolve();
    });
  }
  if (entry.method !== 8) return Promise.reject(new DataError(file, `${entry.name}: unsupported zip compression method ${entry.method} (stored or deflated only)`));
  return new Promise((resolve, reject) => {
    const inflate = createInflateRaw({ chunkSize: 1 << 20 });
    let failed = false;
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      inflate.destroy();
      reject(e);
    };
    inflate.on('data', (chunk: Buffer) => {
      if (failed) return;
      try {
        take(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      } catch (e) {
        fail(e);
      }
    });
    inflate.on('error', (e) => fail(new DataError(file, `${entry.name}: broken deflate data: ${e.message}`)));
    inflate.on('end', () => {
      try {
        finish();
        resolve();
      } catch (e) {
        fail(e);
      }
    });
    inflate.end(packed);
  });
}

/** An opened .npz (zip) file: its member list, and each member read whole or streamed. */
export class NpzFile {
  private constructor(
    readonly file: string,
    private readonly zip: Uint8Array,
    readonly entries: readonly ZipEntry[],
  ) {}

  /**
   * Reads the archive's bytes (the compressed file, 26 MB for dSprites) and its directory. A missing
   * or unreadable file is a DataError naming it.
   */
  static async open(file: string): Promise<NpzFile> {
    let zip: Uint8Array;
    try {
      const bytes = await readFile(file);
      zip = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength); // plain views: slice() copies
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new DataError(file, code === 'ENOENT' ? 'file not found' : `cannot read: ${(e as Error).message}`);
    }
    return new NpzFile(file, zip, zipEntries(zip, file));
  }

  /** Array names (member names without `.npy`), in archive order. */
  get names(): string[] {
    return this.entries.map((e) => e.name.replace(/\.npy$/, ''));
  }

  private entry(name: string): ZipEntry {
    const e = this.entries.find((x) => x.name === `${name}.npy`);
    if (!e) throw new DataError(this.file, `array "${name}" is missing (the file holds: ${this.names.join(', ') || 'nothing'})`);
    return e;
  }

  /** The `.npy` bytes of array `name`, whole (one buffer of its size). */
  async read(name: string): Promise<Uint8Array> {
    const e = this.entry(name);
    const out = new Uint8Array(e.size);
    let p = 0;
    await streamZipEntry(this.zip, e, this.file, (chunk) => {
      out.set(chunk, p);
      p += chunk.length;
    });
    return out;
  }

  /** Streams the `.npy` bytes of array `name` to `sink` (see streamZipEntry). */
  stream(name: string, sink: (chunk: Uint8Array) => void): Promise<void> {
    return streamZipEntry(this.zip, this.entry(name), this.file, sink);
  }
}
