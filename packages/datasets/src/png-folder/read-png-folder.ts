import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, decodePng } from '@elbo/core';
import { InMemorySplit } from '../data/in-memory-split.js';

/** The images of a folder as model input rows, and their file names (in the rows' order). */
export interface PngFolder {
  readonly dir: string;
  readonly files: readonly string[];
  readonly split: InMemorySplit;
}

/**
 * Reads every `*.png` file of `dir` (not recursively; sorted by name, numerically where names hold
 * numbers) as rows of an image model with data shape `[height, width, channels]`:
 * values in [0,1], row-major HWC. Pixels are first composited over black by their alpha
 * (transparent = 0, as MNIST's background). One channel: luminance 0.299 R + 0.587 G + 0.114 B
 * (exact for grey images); three: R, G, B. Any other shape, an image of another size or a file
 * that is not a readable PNG is a DataError naming the file and the expected shape.
 */
export async function readPngFolder(dir: string, shape: readonly number[]): Promise<PngFolder> {
  if (shape.length !== 3 || (shape[2] !== 1 && shape[2] !== 3)) {
    throw new DataError(dir, `PNG images are inputs only for image models (data shape [height, width, 1 or 3]); this model's data has shape [${shape.join(', ')}]`);
  }
  const [h, w, c] = shape as [number, number, number];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    throw new DataError(dir, (e as NodeJS.ErrnoException).code === 'ENOTDIR' ? 'not a folder' : 'no such folder');
  }
  const files = names.filter((f) => f.toLowerCase().endsWith('.png')).sort(new Intl.Collator('en', { numeric: true }).compare);
  if (files.length === 0) throw new DataError(dir, `no .png files in the folder (expected ${w}×${h} images)`);
  const dim = h * w * c;
  const values = new Float32Array(files.length * dim);
  for (const [k, f] of files.entries()) {
    const file = join(dir, f);
    let img: { width: number; height: number; data: Uint8Array };
    try {
      img = decodePng(await readFile(file));
    } catch (e) {
      throw new DataError(file, `not a readable PNG image (${(e as Error).message})`);
    }
    if (img.width !== w || img.height !== h) {
      throw new DataError(file, `the image is ${img.width}×${img.height} pixels; the model takes ${w}×${h} images (data shape [${shape.join(', ')}])`);
    }
    const out = values.subarray(k * dim, (k + 1) * dim);
    for (let p = 0; p < w * h; p++) {
      const a = img.data[p * 4 + 3]! / 255;
      const [r, g, b] = [img.data[p * 4]!, img.data[p * 4 + 1]!, img.data[p * 4 + 2]!].map((v) => (v / 255) * a) as [number, number, number];
      if (c === 1) out[p] = Math.min(1, 0.299 * r + 0.587 * g + 0.114 * b);
      else out.set([r, g, b], p * 3);
    }
  }
  return { dir, files, split: new InMemorySplit(values, dim) };
}
