import { describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '@elbo/core';
import { FactorGrid } from './factor-grid.js';
import { GridSplit } from './grid-split.js';
import { readDspritesNpz } from './load-dsprites-npz.js';
import { encodeNpy, encodeNpz } from './write-npz.js';
import { rejection, useTempDir } from '../../test/fixtures.js';

/** A dSprites-layout grid small enough for a test file: 1×3×2×2×2×2 = 48 images of 4×4 pixels. */
const tiny = new FactorGrid(['color', 'shape', 'scale', 'orientation', 'posX', 'posY'], [1, 3, 2, 2, 2, 2], [[1], [1, 2, 3], [0.5, 1], [0, Math.PI], [0, 1], [0, 1]]);
const N = tiny.count;
const F = 6;
const SIDE = 4;

/** The three arrays with the official dtypes: imgs uint8, latents_classes int64, latents_values float64. */
function arrays() {
  const imgs = Uint8Array.from({ length: N * SIDE * SIDE }, (_, j) => ((j * 7) % 5 === 0 ? 1 : 0));
  const classes = new BigInt64Array(N * F);
  const values = new Float64Array(N * F);
  const c = new Int32Array(F);
  for (let i = 0; i < N; i++) {
    tiny.classesAt(i, c);
    for (let k = 0; k < F; k++) {
      classes[i * F + k] = BigInt(c[k]!);
      values[i * F + k] = tiny.values[k]![c[k]!]!;
    }
  }
  return { imgs, classes, values };
}

function npz(patch: Partial<Record<'imgs' | 'latents_classes' | 'latents_values' | 'metadata', Uint8Array | null>> = {}): Uint8Array {
  const a = arrays();
  const members: Record<string, Uint8Array> = {
    imgs: encodeNpy('|u1', [N, SIDE, SIDE], a.imgs),
    latents_classes: encodeNpy('<i8', [N, F], a.classes),
    latents_values: encodeNpy('<f8', [N, F], a.values),
    metadata: encodeNpy('|O', [], new Uint8Array(8)), // stands in for the pickled dict, which is never read
  };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete members[k];
    else members[k] = v!;
  }
  return encodeNpz(members, { compress: true });
}

const dir = useTempDir('dsprites-npz');
let n = 0;
async function file(bytes: Uint8Array): Promise<string> {
  const f = join(dir(), `d${n++}.npz`);
  await writeFile(f, bytes);
  return f;
}

const message = async (p: Promise<unknown>) => (await rejection(p, DataError)).message;

describe('readDspritesNpz', () => {
  it('loads a real .npz with the official dtypes; images and factors line up by index', async () => {
    const f = await file(npz());
    const source = await readDspritesNpz(f, tiny, SIDE);
    expect([source.dim, source.bits.length]).toEqual([16, (N * 16) / 8]); // 1 bit per pixel
    const split = new GridSplit(source);
    const out = new Float32Array(2 * 16);
    split.read([47, 3], out);
    const { imgs } = arrays();
    expect(Array.from(out.subarray(0, 16))).toEqual(Array.from(imgs.subarray(47 * 16, 48 * 16)));
    expect(Array.from(out.subarray(16))).toEqual(Array.from(imgs.subarray(3 * 16, 4 * 16)));
    const classes = new Int32Array(F);
    split.factors!.classesOf([47], classes);
    expect(Array.from(classes)).toEqual([0, 2, 1, 1, 1, 1]);
    expect(split.factors!.indexOf([0, 2, 1, 1, 1, 1])).toBe(47);
  });

  it('shape mismatch: names the array with expected vs actual shape', async () => {
    const a = arrays();
    const f = await file(npz({ imgs: encodeNpy('|u1', [N - 1, SIDE, SIDE], a.imgs.subarray(0, (N - 1) * 16)) }));
    expect(await message(readDspritesNpz(f, tiny, SIDE))).toBe(`${f}: imgs: expected shape (48, 4, 4), got (47, 4, 4)`);
    const g = await file(npz({ latents_values: encodeNpy('<f8', [N, 5], a.values.subarray(0, N * 5)) }));
    expect(await message(readDspritesNpz(g, tiny, SIDE))).toBe(`${g}: latents_values: expected shape (48, 6), got (48, 5)`);
    // The real loader expects the official 737,280 × 64 × 64.
    expect(await message(readDspritesNpz(f))).toBe(`${f}: imgs: expected shape (737280, 64, 64), got (47, 4, 4)`);
  });

  it('wrong dtype, missing array, reordered rows and non-binary pixels are DataErrors', async () => {
    const a = arrays();
    const f1 = await file(npz({ imgs: encodeNpy('<f4', [N, SIDE, SIDE], Float32Array.from(a.imgs)) }));
    expect(await message(readDspritesNpz(f1, tiny, SIDE))).toBe(`${f1}: imgs: expected dtype uint8 ('|u1'), got '<f4'`);
    const f2 = await file(npz({ latents_classes: encodeNpy('<f8', [N, F], a.values) }));
    expect(await message(readDspritesNpz(f2, tiny, SIDE))).toBe(`${f2}: latents_classes: expected an integer dtype (int64 '<i8' in the official file), got '<f8'`);
    const f3 = await file(npz({ latents_values: null }));
    expect(await message(readDspritesNpz(f3, tiny, SIDE))).toBe(
      `${f3}: array "latents_values" is missing (the file holds: imgs, latents_classes, metadata); expected the dSprites arrays imgs, latents_classes, latents_values`,
    );
    const swapped = a.classes.slice();
    swapped[1 * F + 5] = 0n; // row 1 should be posY class 1
    const f4 = await file(npz({ latents_classes: encodeNpy('<i8', [N, F], swapped) }));
    expect(await message(readDspritesNpz(f4, tiny, SIDE))).toBe(
      `${f4}: latents_classes: row 1 is [0, 0, 0, 0, 0, 0], but the grid order (posY fastest … color slowest) puts [0, 0, 0, 0, 0, 1] there`,
    );
    const off = a.values.slice();
    off[5 * F + 2] = 0.55;
    const f5 = await file(npz({ latents_values: encodeNpy('<f8', [N, F], off) }));
    expect(await message(readDspritesNpz(f5, tiny, SIDE))).toBe(`${f5}: latents_values: row 5, factor scale (class 0) is 0.55, expected 0.5`);
    const grey = a.imgs.slice();
    grey[16 * 2 + 5] = 255;
    const f6 = await file(npz({ imgs: encodeNpy('|u1', [N, SIDE, SIDE], grey) }));
    expect(await message(readDspritesNpz(f6, tiny, SIDE))).toBe(`${f6}: imgs: expected binary pixels (0 or 1), got 255 in image 2 at row 1, column 1`);
  });
});
