import type { DataSplit } from '@elbo/core';

/** Storage an in-memory split can hold: floats, or bytes read back times `scale`. */
export type SplitValues = Float32Array | Uint8Array;

/**
 * A split held in memory as one row-major buffer of `size × dim` values. Bytes are scaled on read
 * (`value = byte × scale`), so 60,000 MNIST images take 47 MB as uint8 instead of 188 MB as float32.
 */
export class InMemorySplit implements DataSplit {
  readonly size: number;

  constructor(
    readonly values: SplitValues,
    readonly dim: number,
    readonly labels?: Int32Array,
    /** Multiplier applied on read (1/255 for raw pixel bytes, 1 for floats or {0,1} bytes). */
    readonly scale = 1,
  ) {
    if (!Number.isInteger(dim) || dim <= 0) throw new RangeError(`dim must be a positive integer, got ${dim}`);
    if (values.length % dim !== 0) throw new RangeError(`${values.length} values do not split into examples of ${dim}`);
    this.size = values.length / dim;
    if (labels && labels.length !== this.size) throw new RangeError(`${labels.length} labels for ${this.size} examples`);
  }

  read(indices: ArrayLike<number>, out: Float32Array): void {
    const { dim, values, scale, size } = this;
    const n = indices.length;
    if (out.length < n * dim) throw new RangeError(`out holds ${out.length} values, ${n} examples need ${n * dim}`);
    for (let k = 0; k < n; k++) {
      const i = indices[k]!;
      if (!(i >= 0 && i < size && Number.isInteger(i))) throw new RangeError(`example index ${i} is outside 0..${size - 1}`);
      const src = i * dim;
      const dst = k * dim;
      if (scale === 1) {
        for (let j = 0; j < dim; j++) out[dst + j] = values[src + j]!;
      } else {
        for (let j = 0; j < dim; j++) out[dst + j] = values[src + j]! * scale;
      }
    }
  }

  /** The first `n` examples (copied, so the full buffer can be released). */
  prefix(n: number): InMemorySplit {
    if (n >= this.size) return this;
    return new InMemorySplit(this.values.slice(0, n * this.dim), this.dim, this.labels?.slice(0, n), this.scale);
  }
}
