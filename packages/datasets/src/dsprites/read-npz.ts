import { readFile } from 'node:fs/promises';
import { DataError, ZipReader, type ZipMember } from '@elbo/core';

/** One member of an .npz archive, from its zip central directory. */
export type ZipEntry = ZipMember;

const NPZ = 'a .npz (zip) file';

/**
 * Lists the members of an .npz archive held in memory (a zip of `<name>.npy` members, stored by
 * `np.savez` or deflated by `np.savez_compressed`; recent numpy writes zip64 records). `file` names
 * it in errors.
 */
export async function zipEntries(zip: Uint8Array, file: string): Promise<ZipEntry[]> {
  return [...(await ZipReader.open(zip, { file, what: NPZ })).members];
}

/** An opened .npz (zip) file: its member list, and each member read whole or streamed. */
export class NpzFile {
  private constructor(private readonly zip: ZipReader) {}

  /**
   * Reads the archive's bytes (the compressed file, 26 MB for dSprites) and its directory. A missing
   * or unreadable file is a DataError naming it.
   */
  static async open(file: string): Promise<NpzFile> {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new DataError(file, code === 'ENOENT' ? 'file not found' : `cannot read: ${(e as Error).message}`);
    }
    return new NpzFile(await ZipReader.open(bytes, { file, what: NPZ }));
  }

  get file(): string {
    return this.zip.file;
  }

  get entries(): readonly ZipEntry[] {
    return this.zip.members;
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
    const out = new Uint8Array(this.entry(name).size);
    let p = 0;
    await this.stream(name, (chunk) => {
      out.set(chunk, p);
      p += chunk.length;
    });
    return out;
  }

  /**
   * Streams the `.npy` bytes of array `name` to `sink` in order, as they inflate, so a member larger
   * than memory allows (dSprites' 3 GB `imgs.npy`) can be consumed on the fly; its size and CRC-32
   * are checked at the end. An exception thrown by `sink` stops the stream and rejects with it.
   */
  async stream(name: string, sink: (chunk: Uint8Array) => void): Promise<void> {
    const data = await this.zip.stream(this.entry(name).name);
    try {
      for await (const chunk of data) {
        const b = chunk as Buffer;
        sink(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
      }
    } finally {
      data.destroy();
    }
  }
}
