import { Transform, type Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import { DataError } from '../config/config-error.js';

/** One member of a zip archive, as its central directory describes it. */
export interface ZipMember {
  readonly name: string;
  /** 0 stored, 8 deflated. */
  readonly method: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
}

export interface ZipOpenOptions {
  /** Names the archive in errors (default: the path, or `zip archive` for bytes). */
  readonly file?: string;
  /** What the archive should be, for the error when it is not a zip (`a .npz (zip) file`). */
  readonly what?: string;
}

const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/**
 * A zip archive read with yauzl: the central directory (zip64 included) is read once and is
 * authoritative (local headers may hold zeros, as numpy's streamed members do); members are streamed
 * with node:zlib's inflate. yauzl checks each member's size; its CRC-32, which yauzl leaves to the
 * caller, is checked here. A file on disk is read as needed (a 200 MB wheel is never held whole).
 * Errors are DataErrors naming the archive and the member.
 */
export class ZipReader {
  private constructor(
    readonly file: string,
    private readonly zip: yauzl.ZipFile,
    private readonly byName: ReadonlyMap<string, yauzl.Entry>,
    readonly members: readonly ZipMember[],
  ) {}

  /** Opens a zip file (a path) or the bytes of one, and lists its members in archive order. */
  static async open(source: string | Uint8Array, options: ZipOpenOptions = {}): Promise<ZipReader> {
    const file = options.file ?? (typeof source === 'string' ? source : 'zip archive');
    let zip: yauzl.ZipFile | undefined;
    try {
      zip =
        typeof source === 'string'
          ? await yauzl.openPromise(source, { autoClose: false })
          : await yauzl.fromBufferPromise(Buffer.from(source.buffer, source.byteOffset, source.byteLength), { autoClose: false });
      const byName = new Map<string, yauzl.Entry>();
      const members: ZipMember[] = [];
      for await (const e of zip.eachEntry()) {
        byName.set(e.fileName, e);
        members.push({ name: e.fileName, method: e.compressionMethod, crc: e.crc32, compressedSize: e.compressedSize, size: e.uncompressedSize });
      }
      return new ZipReader(file, zip, byName, members);
    } catch (e) {
      zip?.close();
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOENT') throw new DataError(file, 'file not found');
      if (err.code) throw new DataError(file, `cannot read: ${err.message}`);
      if (/end of central directory record signature not found/i.test(err.message))
        throw new DataError(file, `not ${options.what ?? 'a zip archive'}: no end-of-central-directory record`);
      throw new DataError(file, `broken zip central directory: ${err.message}`);
    }
  }

  /**
   * The decompressed bytes of member `name` as a stream. It ends in a DataError when the data is
   * not what the directory declares: broken deflate data, a size or a CRC-32 that differs.
   */
  async stream(name: string): Promise<Readable> {
    const entry = this.byName.get(name);
    if (!entry) throw new DataError(this.file, `no member ${name} in the archive`);
    if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
      throw new DataError(this.file, `${name}: unsupported zip compression method ${entry.compressionMethod} (stored or deflated only)`);
    }
    let raw: Readable;
    try {
      raw = await this.zip.openReadStreamPromise(entry);
    } catch (e) {
      throw new DataError(this.file, `${name}: ${(e as Error).message}`);
    }
    let crc = 0;
    const checked = new Transform({
      transform: (chunk: Buffer, _enc, done) => {
        crc = crc32(chunk, crc);
        done(null, chunk);
      },
      flush: (done) => {
        if (crc >>> 0 === entry.crc32 >>> 0) return done();
        done(new DataError(this.file, `${name}: CRC-32 mismatch (directory ${hex(entry.crc32)}, data ${hex(crc)}): the file is corrupt`));
      },
    });
    raw.on('error', (e: NodeJS.ErrnoException) => {
      // zlib errors carry a code (Z_DATA_ERROR); yauzl's size checks do not.
      checked.destroy(new DataError(this.file, `${name}: ${e.code?.startsWith('Z_') ? `broken deflate data: ${e.message}` : e.message}`));
    });
    checked.on('close', () => {
      if (raw.readableEnded) return;
      raw.unpipe(checked);
      raw.destroy();
    });
    return raw.pipe(checked);
  }

  /** Closes the file (nothing to do for bytes). Streams already open are cut off. */
  close(): void {
    if (this.zip.isOpen) this.zip.close();
  }
}
