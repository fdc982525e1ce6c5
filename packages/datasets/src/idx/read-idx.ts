import { readFile } from 'node:fs/promises';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { DataError } from '@elbo/core';

/** IDX magic for unsigned-byte images: 0x00 0x00, type 0x08 (ubyte), 3 dimensions (count, rows, cols). */
export const IDX_IMAGES_MAGIC = 0x00000803;
/** IDX magic for unsigned-byte labels: type 0x08 (ubyte), 1 dimension (count). */
export const IDX_LABELS_MAGIC = 0x00000801;

/** A parsed IDX file of unsigned bytes. */
export interface IdxArray {
  readonly magic: number;
  /** Dimension sizes from the header, outermost first (e.g. [60000, 28, 28]). */
  readonly shape: readonly number[];
  /** The values, row-major (a view into the file's bytes). */
  readonly data: Uint8Array;
}

const gunzipAsync = promisify(gunzip);

/** `0x00000803 (unsigned bytes, 3 dimensions)`, or `… (not an IDX header)`. */
export function describeMagic(magic: number): string {
  const hex = `0x${(magic >>> 0).toString(16).padStart(8, '0')}`;
  const type = (magic >>> 8) & 0xff;
  const dims = magic & 0xff;
  const types: Record<number, string> = { 0x08: 'unsigned bytes', 0x09: 'signed bytes', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64' };
  if (magic >>> 16 !== 0 || !types[type]) return `${hex} (not an IDX header)`;
  return `${hex} (${types[type]}, ${dims} dimension${dims === 1 ? '' : 's'})`;
}

/**
 * Parses an IDX file (LeCun's MNIST format): a big-endian 32-bit magic number `0x0000TTDD`
 * (TT = data type, DD = number of dimensions), DD big-endian 32-bit sizes, then the values
 * row-major. Only unsigned bytes (TT = 0x08) are supported, which covers MNIST, Fashion-MNIST,
 * KMNIST and EMNIST. Each defect is one DataError naming `file` with expected vs actual:
 * wrong magic number, truncated header or data, or bytes past the declared data.
 */
export function parseIdx(bytes: Uint8Array, file: string, expectedMagic?: number, compressed = false): IdxArray {
  const after = compressed ? ' after gunzip' : '';
  if (bytes.length < 4) throw new DataError(file, `truncated: ${bytes.length} bytes${after}, too short for the 4-byte IDX magic number`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (expectedMagic !== undefined && magic !== expectedMagic) {
    throw new DataError(file, `wrong magic number: expected ${describeMagic(expectedMagic)}, got ${describeMagic(magic)}`);
  }
  const type = (magic >>> 8) & 0xff;
  const ndims = magic & 0xff;
  if (magic >>> 16 !== 0 || ndims === 0) throw new DataError(file, `wrong magic number: ${describeMagic(magic)} is not an IDX header`);
  if (type !== 0x08) throw new DataError(file, `unsupported IDX data type: ${describeMagic(magic)}; only unsigned bytes (0x08) are read`);
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new DataError(file, `truncated: the header of ${ndims} dimensions needs ${headerBytes} bytes, the file has ${bytes.length}${after}`);
  }
  const shape: number[] = [];
  let count = 1;
  for (let d = 0; d < ndims; d++) {
    const n = view.getUint32(4 + 4 * d);
    shape.push(n);
    count *= n;
  }
  const expected = headerBytes + count;
  const dims = shape.join('×');
  if (bytes.length < expected) {
    throw new DataError(
      file,
      `truncated: the header declares ${dims} = ${count} values, i.e. ${expected} bytes with the ${headerBytes}-byte header, but the file has ${bytes.length}${after} (${expected - bytes.length} missing)`,
    );
  }
  if (bytes.length > expected) {
    throw new DataError(file, `${bytes.length - expected} unexpected bytes after the ${dims} values the header declares (expected ${expected} bytes, got ${bytes.length}${after})`);
  }
  return { magic, shape, data: bytes.subarray(headerBytes, expected) };
}

/** True when `bytes` starts with the gzip signature 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Reads and parses an IDX file, raw or gzip-compressed (detected by the gzip signature, whatever
 * the file's name). `expectedMagic` turns a file of the wrong kind into a "wrong magic number" error.
 */
export async function readIdx(file: string, expectedMagic?: number): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new DataError(file, err.code === 'ENOENT' ? 'file not found' : `cannot read: ${err.message}`);
  }
  const compressed = isGzip(bytes);
  if (compressed) {
    try {
      bytes = await gunzipAsync(bytes);
    } catch (e) {
      throw new DataError(file, `not a valid gzip file: ${(e as Error).message}`);
    }
  }
  return parseIdx(bytes, file, expectedMagic, compressed);
}
