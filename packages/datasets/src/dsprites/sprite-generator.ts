import type { GridImageSource } from './grid-split.js';
import { DSPRITES_SIZE, dspritesGrid } from './dsprites-grid.js';
import type { FactorGrid } from './factor-grid.js';
import { renderSprite } from './render-sprite.js';

/**
 * dSprites drawn procedurally, one image per call: the official factor grid (same factor order, class
 * counts and value arrays, so grid point i has the factors of the file's image i) with each image
 * rasterised by `renderSprite` from its factor values. Nothing is cached: memory is a few
 * small arrays however many images are read.
 *
 * The pixels are NOT bit-identical to the official file, whose sprites were rendered by different
 * code (its exact sprite sizes, position range and heart outline are not published); the factor
 * semantics are the same — shape, scale, rotation and x/y position change exactly as their values say.
 */
export class SpriteGenerator implements GridImageSource {
  readonly grid: FactorGrid;
  readonly dim = DSPRITES_SIZE * DSPRITES_SIZE;
  private readonly classes: Int32Array;
  private readonly shapeIndex: number;
  private readonly scaleIndex: number;
  private readonly orientationIndex: number;
  private readonly posXIndex: number;
  private readonly posYIndex: number;

  constructor() {
    this.grid = dspritesGrid();
    this.classes = new Int32Array(this.grid.sizes.length);
    const at = (name: string) => this.grid.names.indexOf(name);
    [this.shapeIndex, this.scaleIndex, this.orientationIndex, this.posXIndex, this.posYIndex] = ['shape', 'scale', 'orientation', 'posX', 'posY'].map(at) as [
      number,
      number,
      number,
      number,
      number,
    ];
  }

  write(index: number, out: Float32Array, offset: number): void {
    const c = this.classes;
    this.grid.classesAt(index, c);
    const v = this.grid.values;
    renderSprite(
      c[this.shapeIndex]!, // shape classes 0, 1, 2 = values 1, 2, 3 = square, ellipse, heart
      v[this.scaleIndex]![c[this.scaleIndex]!]!,
      v[this.orientationIndex]![c[this.orientationIndex]!]!,
      v[this.posXIndex]![c[this.posXIndex]!]!,
      v[this.posYIndex]![c[this.posYIndex]!]!,
      DSPRITES_SIZE,
      out,
      offset,
    );
  }
}
