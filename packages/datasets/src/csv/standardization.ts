/** Per-feature z-scoring: x' = (x − mean) / std. */
export interface Standardization {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/**
 * Mean and population standard deviation of every feature over `values` (rows × dim), in float64.
 * A constant feature gets std 1 (it is only centred) instead of a division by zero.
 */
export function fitStandardization(values: Float32Array, dim: number): Standardization {
  const n = values.length / dim;
  if (!(n >= 1) || !Number.isInteger(n)) throw new RangeError(`${values.length} values do not split into rows of ${dim}`);
  const mean = new Array<number>(dim).fill(0);
  const sq = new Array<number>(dim).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j]! += values[i * dim + j]! / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) sq[j]! += (values[i * dim + j]! - mean[j]!) ** 2 / n;
  return { mean, std: sq.map((v) => (v > 1e-24 ? Math.sqrt(v) : 1)) };
}

/** Standardises `values` (rows × dim) in place and returns them. */
export function applyStandardization(values: Float32Array, s: Standardization): Float32Array {
  const dim = s.mean.length;
  for (let i = 0; i < values.length; i++) values[i] = (values[i]! - s.mean[i % dim]!) / s.std[i % dim]!;
  return values;
}
