import { describe, expect, it } from 'vitest';
import { SpriteGenerator } from './sprite-generator.js';
import { GridSplit } from './grid-split.js';

const gen = new SpriteGenerator();
const SIDE = 64;

/** The image of [color, shape, scale, orientation, posX, posY] classes. */
function image(classes: readonly number[]): Float32Array {
  const out = new Float32Array(SIDE * SIDE);
  gen.write(gen.grid.indexOf(classes), out, 0);
  return out;
}

/** On-pixel count and centroid (row, column) of an image. */
function stats(img: Float32Array): { on: number; row: number; col: number } {
  let on = 0;
  let row = 0;
  let col = 0;
  img.forEach((v, j) => {
    if (v !== 0) {
      expect(v).toBe(1);
      on++;
      row += Math.floor(j / SIDE) + 0.5;
      col += (j % SIDE) + 0.5;
    }
  });
  return { on, row: row / on, col: col / on };
}

const px = (img: Float32Array, r: number, c: number) => img[r * SIDE + c];
const differing = (a: Float32Array, b: Float32Array) => a.reduce((n, v, j) => n + (v !== b[j] ? 1 : 0), 0);

// Classes: shape 0 square, 1 ellipse, 2 heart; scale class 5 = 1.0, 0 = 0.5; posX/posY class 16 ≈ 0.516.
const SQUARE_CENTRE = [0, 0, 5, 0, 16, 16];

describe('SpriteGenerator', () => {
  it('covers the official grid: 737,280 images of 64×64', () => {
    expect(gen.grid.count).toBe(737_280);
    expect(gen.dim).toBe(4096);
    expect(new GridSplit(gen).size).toBe(737_280);
  });

  it('draws a large square at the centre with the centre pixel on and the corners off', () => {
    const img = image(SQUARE_CENTRE);
    expect(px(img, 32, 32)).toBe(1);
    expect(px(img, 0, 0)).toBe(0);
    expect(px(img, 63, 63)).toBe(0);
    // Half-side 10 px at scale 1: a 20×20 square, give or take one row/column of boundary pixels.
    const s = stats(img);
    expect(s.on).toBeGreaterThanOrEqual(380);
    expect(s.on).toBeLessThanOrEqual(441);
    // Centre at 64·(0.2 + 0.6·16/31) = 32.62 px.
    expect(s.col).toBeCloseTo(32.62, 0);
    expect(s.row).toBeCloseTo(32.62, 0);
  });

  it('changes the image with the shape; the areas are the drawn shapes’ areas', () => {
    const [square, ellipse, heart] = [0, 1, 2].map((shape) => image([0, shape, 5, 0, 16, 16]));
    expect(differing(square!, ellipse!)).toBeGreaterThan(150);
    expect(differing(ellipse!, heart!)).toBeGreaterThan(100);
    expect(differing(square!, heart!)).toBeGreaterThan(80);
    // Areas at scale 1 (10 px per sprite unit): square 4·100, ellipse π·1·0.5·100 ≈ 157, heart ≈ 2.87·100.
    expect(stats(ellipse!).on).toBeGreaterThan(140);
    expect(stats(ellipse!).on).toBeLessThan(175);
    expect(stats(heart!).on).toBeGreaterThan(265);
    expect(stats(heart!).on).toBeLessThan(310);
    // The heart's lobes are at the top at orientation 0: its centroid lies above the sprite centre.
    expect(stats(heart!).row).toBeLessThan(32.62 - 0.5);
  });

  it('moves the sprite with posX (columns) and posY (rows) over 60% of the image', () => {
    const left = stats(image([0, 0, 5, 0, 0, 16]));
    const right = stats(image([0, 0, 5, 0, 31, 16]));
    expect(right.col - left.col).toBeCloseTo(0.6 * 64, 0);
    expect(right.row).toBeCloseTo(left.row, 5);
    const top = stats(image([0, 0, 5, 0, 16, 0]));
    const bottom = stats(image([0, 0, 5, 0, 16, 31]));
    expect(bottom.row - top.row).toBeCloseTo(0.6 * 64, 0);
    expect(bottom.col).toBeCloseTo(top.col, 5);
  });

  it('scales the area by scale² and rotates about the centre', () => {
    const big = stats(image(SQUARE_CENTRE)).on;
    const small = stats(image([0, 0, 0, 0, 16, 16])).on;
    expect(big / small).toBeGreaterThan(3.5);
    expect(big / small).toBeLessThan(4.5);
    // Orientation 0 and 2π (classes 0 and 39) draw the same sprite, as in the official file.
    expect(differing(image([0, 1, 5, 0, 16, 16]), image([0, 1, 5, 39, 16, 16]))).toBeLessThanOrEqual(2);
    // The ellipse is wide at orientation 0 and tall near π/2 (class 10 = 92.3°).
    const extent = (img: Float32Array) => {
      let rows = 0;
      let cols = 0;
      for (let r = 0; r < SIDE; r++) if (img.subarray(r * SIDE, (r + 1) * SIDE).some((v) => v > 0)) rows++;
      for (let c = 0; c < SIDE; c++) if (Array.from({ length: SIDE }, (_, r) => px(img, r, c)).some((v) => v! > 0)) cols++;
      return { rows, cols };
    };
    const flat = extent(image([0, 1, 5, 0, 16, 16]));
    const tall = extent(image([0, 1, 5, 10, 16, 16]));
    expect(flat.cols).toBeGreaterThan(flat.rows * 1.6);
    expect(tall.rows).toBeGreaterThan(tall.cols * 1.6);
    // A rotated square keeps its area (±boundary pixels) and its centroid.
    const turned = stats(image([0, 0, 5, 5, 16, 16]));
    expect(Math.abs(turned.on - big)).toBeLessThan(30);
    expect(turned.col).toBeCloseTo(32.62, 0);
  });

  it('reads arbitrary indices in any order, and every image is a non-empty binary sprite', () => {
    const split = new GridSplit(gen);
    const indices = [737_279, 0, 12_345, 0, 400_001];
    const out = new Float32Array(indices.length * 4096);
    split.read(indices, out);
    indices.forEach((g, k) => {
      const one = new Float32Array(4096);
      gen.write(g, one, 0);
      expect(out.subarray(k * 4096, (k + 1) * 4096)).toEqual(one);
    });
    expect(() => split.read([737_280], new Float32Array(4096))).toThrow('example index 737280 is outside 0..737279');
    expect(() => split.read([0, 1], new Float32Array(4096))).toThrow('out holds 4096 values, 2 examples need 8192');
    const some = new Float32Array(4096);
    for (let g = 7; g < 737_280; g += 7919) {
      gen.write(g, some, 0);
      const on = some.reduce((a, b) => a + b, 0);
      expect(on).toBeGreaterThan(20); // the smallest sprite, a 0.5-scale ellipse, covers ≈ 39 px
    }
  });

  it('keeps memory bounded: reading 20,000 images allocates no image store', () => {
    const split = new GridSplit(gen);
    const batch = 500;
    const out = new Float32Array(batch * 4096);
    const indices = new Int32Array(batch);
    const before = process.memoryUsage().arrayBuffers;
    const t = performance.now();
    for (let b = 0; b < 40; b++) {
      for (let k = 0; k < batch; k++) indices[k] = (b * 104_729 + k * 1_471) % 737_280;
      split.read(indices, out);
    }
    const ms = performance.now() - t;
    // Holding the images would take 302 MB as bytes (1.2 GB as floats); the generator keeps none.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 * 2 ** 20);
    expect(ms).toBeLessThan(20_000); // ≈ 1–2 s on one core: ~20 µs per image
  });
});
