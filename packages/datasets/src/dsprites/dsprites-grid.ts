import { FactorGrid, linspace } from './factor-grid.js';

/** The official file's name (deepmind/dsprites-dataset, 2017). */
export const DSPRITES_FILE = 'dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz';

/** Image height and width of dSprites (one channel, pixels 0 or 1). */
export const DSPRITES_SIZE = 64;

/** Shape classes in the official order: `latents_values` stores them as 1, 2, 3. */
export const DSPRITES_SHAPES = ['square', 'ellipse', 'heart'] as const;

/**
 * The factor grid of dSprites as the official file's `metadata` documents it: names, class counts and
 * `latents_possible_values`, in the file's factor order, 1×3×6×40×32×32 = 737,280 images.
 *
 * | factor | classes | values |
 * |---|---|---|
 * | color | 1 | [1] (white) |
 * | shape | 3 | [1, 2, 3] = square, ellipse, heart |
 * | scale | 6 | linspace(0.5, 1, 6) |
 * | orientation | 40 | linspace(0, 2π, 40) (radians; 0 and 2π both present, as in the file) |
 * | posX | 32 | linspace(0, 1, 32) |
 * | posY | 32 | linspace(0, 1, 32) |
 *
 * Image `i` of the file has classes `FactorGrid.classesAt(i)` (posY varies fastest).
 */
export function dspritesGrid(): FactorGrid {
  return new FactorGrid(
    ['color', 'shape', 'scale', 'orientation', 'posX', 'posY'],
    [1, 3, 6, 40, 32, 32],
    [[1], [1, 2, 3], linspace(0.5, 1, 6), linspace(0, 2 * Math.PI, 40), linspace(0, 1, 32), linspace(0, 1, 32)],
  );
}
