import type { DataSplit, GroundTruthFactors } from '@elbo/core';
import type { FactorGrid } from './factor-grid.js';

/** Where the images of a factor grid come from: generated on demand, or held from a file. */
export interface GridImageSource {
  readonly grid: FactorGrid;
  /** Values per image. */
  readonly dim: number;
  /** Writes the image of grid point `index` (dim values in [0,1]) into `out` from `offset`. */
  write(index: number, out: Float32Array, offset: number): void;
}

/**
 * A split over a factor grid: the whole grid (example i = grid point i) or a subset given as grid
 * indices (example i = grid point `gridIndices[i]`). Images come from the source on every `read`;
 * the split itself holds at most its index list (and, once `factors.indexOf` is asked on a subset,
 * an inverse map of one Int32 per grid point).
 */
export class GridSplit implements DataSplit {
  readonly size: number;
  readonly dim: number;
  readonly factors: GroundTruthFactors;

  constructor(
    readonly source: GridImageSource,
    /** Grid points of the examples, in example order; absent for the whole grid. */
    readonly gridIndices?: Int32Array,
  ) {
    this.size = gridIndices ? gridIndices.length : source.grid.count;
    this.dim = source.dim;
    this.factors = new SplitFactors(source.grid, this);
  }

  /** The grid point of example `i` (the index into the official file for dSprites). */
  gridIndex(i: number): number {
    if (!(i >= 0 && i < this.size && Number.isInteger(i))) throw new RangeError(`example index ${i} is outside 0..${this.size - 1}`);
    return this.gridIndices ? this.gridIndices[i]! : i;
  }

  read(indices: ArrayLike<number>, out: Float32Array): void {
    const n = indices.length;
    const dim = this.dim;
    if (out.length < n * dim) throw new RangeError(`out holds ${out.length} values, ${n} examples need ${n * dim}`);
    for (let k = 0; k < n; k++) this.source.write(this.gridIndex(indices[k]!), out, k * dim);
  }
}

/** The ground-truth factors of a GridSplit; example indices are the split's own. */
class SplitFactors implements GroundTruthFactors {
  readonly names: readonly string[];
  readonly sizes: readonly number[];
  readonly values: readonly (readonly number[])[];
  private inverse?: Int32Array;

  constructor(
    private readonly grid: FactorGrid,
    private readonly split: GridSplit,
  ) {
    this.names = grid.names;
    this.sizes = grid.sizes;
    this.values = grid.values;
  }

  classesOf(indices: ArrayLike<number>, out: Int32Array): void {
    const f = this.sizes.length;
    if (out.length < indices.length * f) throw new RangeError(`out holds ${out.length} values, ${indices.length} examples need ${indices.length * f}`);
    for (let k = 0; k < indices.length; k++) this.grid.classesAt(this.split.gridIndex(indices[k]!), out, k * f);
  }

  /**
   * The example with these classes: its index in this split, or −1 when the split is a subset of the
   * grid that does not hold that combination.
   */
  indexOf(classes: ArrayLike<number>): number {
    const g = this.grid.indexOf(classes);
    const subset = this.split.gridIndices;
    if (!subset) return g;
    if (!this.inverse) {
      this.inverse = new Int32Array(this.grid.count).fill(-1);
      for (let i = 0; i < subset.length; i++) this.inverse[subset[i]!] = i;
    }
    return this.inverse[g]!;
  }
}
