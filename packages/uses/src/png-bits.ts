import { encode } from 'fast-png';
import { PNG } from 'pngjs';

/**
 * L(x) of Serrà et al. (2020, "Input complexity and out-of-distribution detection with
 * likelihood-based generative models"): the length in bits of each image as a lossless PNG — 8-bit
 * grey (one channel) or RGB (three), values in [0, 1] rounded to bytes, zlib level 9 — the
 * compressor the paper found to work well. `rows` holds n images of `shape` [h, w, c], row-major HWC.
 *
 * `depth: 1` writes binary images (one channel, every value 0 or 1) as 1-bit grey PNGs instead
 * (fast-png; pngjs writes 8 and 16 bits only): a compressor matched to binarised digits, which an
 * 8-bit PNG codes with grey levels they do not have. scripts/png-bit-depth.ts compares the two on
 * the held-out digits (docs/uses.md).
 */
export function pngBits(rows: Float32Array, shape: readonly number[], options: { readonly depth?: 1 | 8 } = {}): Float64Array {
  const [h, w, c] = shape as [number, number, number];
  if (shape.length !== 3 || (c !== 1 && c !== 3)) throw new RangeError(`the complexity score needs images (shape [h, w, 1] or [h, w, 3]), got [${shape.join(', ')}]`);
  const D = h * w * c;
  const n = rows.length / D;
  const out = new Float64Array(n);
  const png = new PNG({ width: w, height: h, colorType: c === 1 ? 0 : 2, inputColorType: c === 1 ? 0 : 2, inputHasAlpha: false, deflateLevel: 9, bitDepth: 8 });
  const bytes = Buffer.alloc(D);
  const stride = Math.ceil(w / 8);
  const packed = new Uint8Array(stride * h);
  for (let i = 0; i < n; i++) {
    const image = rows.subarray(i * D, (i + 1) * D);
    if (options.depth === 1) {
      const bad = image.findIndex((v) => v !== 0 && v !== 1);
      if (c !== 1 || bad >= 0)
        throw new RangeError(`a 1-bit PNG holds binary images of one channel; image ${i} has ${c !== 1 ? `${c} channels` : `the value ${image[bad]} at ${bad}`}`);
      // One bit per pixel, each row starting on a byte (the PNG layout), most significant bit first.
      packed.fill(0);
      for (let j = 0; j < D; j++) if (image[j] === 1) packed[Math.floor(j / w) * stride + ((j % w) >> 3)]! |= 0x80 >> ((j % w) & 7);
      out[i] = encode({ width: w, height: h, data: packed, depth: 1, channels: 1 }, { zlib: { level: 9 } }).length * 8;
      continue;
    }
    for (let j = 0; j < D; j++) bytes[j] = Math.max(0, Math.min(255, Math.round(image[j]! * 255)));
    png.data = bytes;
    out[i] = PNG.sync.write(png, { colorType: c === 1 ? 0 : 2, inputColorType: c === 1 ? 0 : 2, inputHasAlpha: false, deflateLevel: 9, bitDepth: 8 }).length * 8;
  }
  return out;
}
