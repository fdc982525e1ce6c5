import { PNG } from 'pngjs';

export interface GridOptions {
  /** Image height, width, channels (1 or 3). */
  readonly shape: readonly [number, number, number];
  readonly cols: number;
  /** Pixels of background between cells. */
  readonly gap?: number;
  /** Value range mapped to 0…255 (values outside are clipped). */
  readonly range?: readonly [number, number];
}

/**
 * Lays out `images` (each H·W·C floats, row-major HWC) in a grid and encodes it as PNG
 * (pngjs: a maintained pure-JS encoder). Missing cells stay dark.
 */
export function encodeImageGrid(images: readonly Float32Array[], opts: GridOptions): Uint8Array {
  const [h, w, c] = opts.shape;
  if (c !== 1 && c !== 3) throw new Error(`image grids need 1 or 3 channels, got ${c}`);
  const gap = opts.gap ?? 2;
  const [lo, hi] = opts.range ?? [0, 1];
  const cols = Math.max(1, Math.min(opts.cols, images.length));
  const rows = Math.max(1, Math.ceil(images.length / cols));
  const width = cols * w + (cols + 1) * gap;
  const height = rows * h + (rows + 1) * gap;
  const png = new PNG({ width, height, colorType: 6 });
  png.data.fill(0);
  for (let i = 3; i < png.data.length; i += 4) png.data[i] = 255;
  const toByte = (v: number) => Math.max(0, Math.min(255, Math.round(((v - lo) / (hi - lo)) * 255)));
  images.forEach((img, n) => {
    if (img.length !== h * w * c) throw new Error(`image ${n} has ${img.length} values, expected ${h}×${w}×${c}`);
    const ox = gap + (n % cols) * (w + gap);
    const oy = gap + Math.floor(n / cols) * (h + gap);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const o = ((oy + y) * width + (ox + x)) * 4;
        const p = (y * w + x) * c;
        const r = toByte(img[p]!);
        png.data[o] = r;
        png.data[o + 1] = c === 3 ? toByte(img[p + 1]!) : r;
        png.data[o + 2] = c === 3 ? toByte(img[p + 2]!) : r;
      }
    }
  });
  return PNG.sync.write(png);
}

/** Decodes a PNG into RGBA bytes (for tests and image inputs). */
export function decodePng(bytes: Uint8Array): { width: number; height: number; data: Uint8Array } {
  const png = PNG.sync.read(Buffer.from(bytes));
  return { width: png.width, height: png.height, data: png.data };
}
