import { gzipSync } from 'node:zlib';
import { writeFileAtomic } from '@elbo/core';

/**
 * Encodes unsigned bytes as an IDX file (magic 0x000008DD, big-endian sizes, values). The inverse of
 * parseIdx; used to write test fixtures and converted datasets.
 */
export function encodeIdx(shape: readonly number[], data: Uint8Array): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`shape ${shape.join('×')} needs ${count} values, got ${data.length}`);
  if (shape.length === 0 || shape.length > 255) throw new RangeError(`IDX files have 1 to 255 dimensions, got ${shape.length}`);
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x00000800 | shape.length);
  shape.forEach((n, d) => view.setUint32(4 + 4 * d, n));
  out.set(data, header);
  return out;
}

/**
 * Writes unsigned bytes as an IDX file, gzip-compressed when `gzip` is true (conventionally with a
 * `.gz` name). Written atomically; readIdx reads it back.
 */
export async function writeIdx(file: string, shape: readonly number[], data: Uint8Array, gzip = false): Promise<void> {
  const bytes = encodeIdx(shape, data);
  await writeFileAtomic(file, gzip ? gzipSync(bytes) : bytes);
}
