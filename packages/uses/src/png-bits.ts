import { PNG } from 'pngjs';

/**
 * L(x) of Serrà et al. (2020, "Input complexity and out-of-distribution detection with
 * likelihood-based generative models"): the length in bits of each image as a lossless PNG — 8-bit
 * grey (one channel) or RGB (three), values in [0, 1] rounded to bytes, zlib level 9 — the
 * compressor the paper found to work well. `rows` holds n images of `shape` [h, w, c], row-major HWC.
 */
export function pngBits(rows: Float32Array, shape: readonly number[]): Float64Array {
  const [h, w, c] = shape as [number, number, number];
  if (shape.length !== 3 || (c !== 1 && c !== 3)) throw new RangeError(`the complexity score needs images (shape [h, w, 1] or [h, w, 3]), got [${shape.join(', ')}]`);
  const D = h * w * c;
  const n = rows.length / D;
  const out = new Float64Array(n);
  const png = new PNG({ width: w, height: h, colorType: c === 1 ? 0 : 2, inputColorType: c === 1 ? 0 : 2, inputHasAlpha: false, deflateLevel: 9, bitDepth: 8 });
  const bytes = Buffer.alloc(D);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < D; j++) bytes[j] = Math.max(0, Math.min(255, Math.round(rows[i * D + j]! * 255)));
    png.data = bytes;
    out[i] = PNG.sync.write(png, { colorType: c === 1 ? 0 : 2, inputColorType: c === 1 ? 0 : 2, inputHasAlpha: false, deflateLevel: 9, bitDepth: 8 }).length * 8;
  }
  return out;
}
