import { linspaceEdges } from './statistics.js';

/**
 * Equal-width histogram discretisation of one column, as disentanglement_lib's
 * `_histogram_discretize` does with numpy: edges = `np.histogram(x, bins)` (bins equal-width bins
 * over [min, max]; [min − ½, max + ½] for a constant column), and each value's bin is the number of
 * lower edges ≤ it (`np.digitize(x, edges[:-1])`), shifted to 0 … bins − 1.
 */
export function histogramBins(column: Float64Array, bins: number): Int32Array {
  let min = Infinity;
  let max = -Infinity;
  for (const v of column) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === max) {
    min -= 0.5;
    max += 0.5;
  }
  const edges = linspaceEdges(min, max, bins + 1);
  const out = new Int32Array(column.length);
  for (let i = 0; i < column.length; i++) {
    const v = column[i]!;
    // Count of lower edges ≤ v (edges ascending): binary search over edges[0 … bins − 1].
    let lo = 0;
    let hi = bins;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (edges[mid]! <= v) lo = mid + 1;
      else hi = mid;
    }
    out[i] = Math.max(0, lo - 1);
  }
  return out;
}

/**
 * Mutual information (nats) between two labelings of the same n items, from their contingency table:
 * I = Σ_ij (n_ij/n) · ln(n·n_ij / (a_i·b_j)) — sklearn's `mutual_info_score`, which
 * disentanglement_lib uses. Labels are 0 … sizeA − 1 and 0 … sizeB − 1.
 */
export function mutualInfo(a: Int32Array, sizeA: number, b: Int32Array, sizeB: number): number {
  const n = a.length;
  const table = new Float64Array(sizeA * sizeB);
  const ra = new Float64Array(sizeA);
  const rb = new Float64Array(sizeB);
  for (let i = 0; i < n; i++) {
    table[a[i]! * sizeB + b[i]!]++;
    ra[a[i]!]++;
    rb[b[i]!]++;
  }
  let mi = 0;
  for (let p = 0; p < sizeA; p++) {
    for (let q = 0; q < sizeB; q++) {
      const c = table[p * sizeB + q]!;
      if (c > 0) mi += (c / n) * Math.log((n * c) / (ra[p]! * rb[q]!));
    }
  }
  return Math.max(0, mi);
}

/** Entropy (nats) of a labeling with labels 0 … size − 1: I(a; a). */
export function entropy(a: Int32Array, size: number): number {
  const counts = new Float64Array(size);
  for (const v of a) counts[v]++;
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / a.length) * Math.log(c / a.length);
  return h;
}
