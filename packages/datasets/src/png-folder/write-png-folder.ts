import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeImageGrid, writeFileAtomic } from '@elbo/core';

/**
 * Writes each row (values in [0,1], HWC with 1 or 3 channels) as one PNG of the image's own size
 * into `dir` under the given file names, each file atomically. Returns the paths written.
 */
export async function writePngFolder(dir: string, files: readonly string[], rows: Float32Array, shape: readonly [number, number, number]): Promise<string[]> {
  const dim = shape[0] * shape[1] * shape[2];
  if (rows.length !== files.length * dim) throw new RangeError(`${rows.length} values for ${files.length} images of ${dim}`);
  await mkdir(dir, { recursive: true });
  const out: string[] = [];
  for (const [k, f] of files.entries()) {
    const path = join(dir, f);
    await writeFileAtomic(path, encodeImageGrid([rows.subarray(k * dim, (k + 1) * dim)], { shape, cols: 1, gap: 0 }));
    out.push(path);
  }
  return out;
}
