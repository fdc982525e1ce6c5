/**
 * `num` evenly spaced values from `start` to `stop` inclusive, computed as numpy's `linspace` does
 * (`start + i·step` with `step = (stop − start)/(num − 1)`, the last value set to `stop` exactly), so
 * the values equal the float64 arrays stored in the official dSprites file.
 */
export function linspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  const out = Array.from({ length: num }, (_, i) => i * step + start);
  out[num - 1] = stop;
  return out;
}

/**
 * A full factor grid: every combination of factor classes exactly once, in mixed-radix order with
 * the LAST factor varying fastest (dSprites: posY fastest, then posX, orientation, scale, shape,
 * color). Grid index `i = Σ_k class_k · base_k` with `base_k = Π_{j>k} size_j`.
 */
export class FactorGrid {
  readonly bases: readonly number[];
  /** Number of grid points (the product of the sizes). */
  readonly count: number;

  constructor(
    readonly names: readonly string[],
    readonly sizes: readonly number[],
    readonly values: readonly (readonly number[])[],
  ) {
    if (names.length !== sizes.length || values.length !== sizes.length) {
      throw new RangeError(`factor grid: ${names.length} names, ${sizes.length} sizes and ${values.length} value arrays must agree`);
    }
    sizes.forEach((s, k) => {
      if (!Number.isInteger(s) || s <= 0) throw new RangeError(`factor grid: size of ${names[k]} must be a positive integer, got ${s}`);
      if (values[k]!.length !== s) throw new RangeError(`factor grid: ${names[k]} has ${s} classes but ${values[k]!.length} values`);
    });
    const bases = new Array<number>(sizes.length);
    let b = 1;
    for (let k = sizes.length - 1; k >= 0; k--) {
      bases[k] = b;
      b *= sizes[k]!;
    }
    this.bases = bases;
    this.count = b;
  }

  /** Writes the factor classes of grid point `index` into `out` at `offset`. */
  classesAt(index: number, out: Int32Array, offset = 0): void {
    if (!(index >= 0 && index < this.count && Number.isInteger(index))) throw new RangeError(`grid index ${index} is outside 0..${this.count - 1}`);
    let rest = index;
    for (let k = 0; k < this.sizes.length; k++) {
      const base = this.bases[k]!;
      const c = Math.floor(rest / base);
      out[offset + k] = c;
      rest -= c * base;
    }
  }

  /** The grid index of the point with these classes (one per factor); RangeError when a class is out of range. */
  indexOf(classes: ArrayLike<number>, offset = 0): number {
    let index = 0;
    for (let k = 0; k < this.sizes.length; k++) {
      const c = classes[offset + k]!;
      if (!(c >= 0 && c < this.sizes[k]! && Number.isInteger(c))) {
        throw new RangeError(`class ${c} of factor ${this.names[k]} is outside 0..${this.sizes[k]! - 1}`);
      }
      index += c * this.bases[k]!;
    }
    return index;
  }
}
