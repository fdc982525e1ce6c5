/** Small numeric helpers shared by the metrics (float64, row-major n × dim arrays). */

/** numpy's `linspace(start, stop, num)`: `start + i·step`, the last value exactly `stop`. */
export function linspaceEdges(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

/** Fraction of the first n predicted classes that equal y (0 when n is 0). */
export function fractionCorrect(predicted: Int32Array, y: Int32Array, n: number): number {
  let hits = 0;
  for (let i = 0; i < n; i++) if (predicted[i] === y[i]) hits++;
  return n > 0 ? hits / n : 0;
}

/** Column j of an n × dim row-major matrix. */
export function column(values: Float64Array, n: number, dim: number, j: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = values[i * dim + j]!;
  return out;
}

/** Per-column variance with `ddof` (1: numpy's `np.var(…, ddof=1)`, the unbiased estimate). */
export function columnVariances(values: Float64Array, n: number, dim: number, ddof = 1): Float64Array {
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += values[i * dim + j]!;
  for (let j = 0; j < dim; j++) mean[j] /= n;
  const v = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) v[j] += (values[i * dim + j]! - mean[j]!) ** 2;
  for (let j = 0; j < dim; j++) v[j] = n - ddof > 0 ? v[j]! / (n - ddof) : 0;
  return v;
}

/** Sample covariance matrix (dim × dim, ddof 1 as `np.cov`). */
export function covariance(values: Float64Array, n: number, dim: number): Float64Array {
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += values[i * dim + j]! / n;
  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) row[j] = values[i * dim + j]! - mean[j]!;
    for (let a = 0; a < dim; a++) for (let b = a; b < dim; b++) cov[a * dim + b] += row[a]! * row[b]!;
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      const c = cov[a * dim + b]! / (n - 1);
      cov[a * dim + b] = c;
      cov[b * dim + a] = c;
    }
  }
  return cov;
}

/** log det of a symmetric positive-definite matrix by Cholesky; NaN if it is not positive definite. */
export function logDetSpd(matrix: Float64Array, dim: number): number {
  const l = new Float64Array(dim * dim);
  let logDet = 0;
  for (let j = 0; j < dim; j++) {
    let d = matrix[j * dim + j]!;
    for (let k = 0; k < j; k++) d -= l[j * dim + k]! ** 2;
    if (!(d > 0)) return NaN;
    const ljj = Math.sqrt(d);
    l[j * dim + j] = ljj;
    logDet += 2 * Math.log(ljj);
    for (let i = j + 1; i < dim; i++) {
      let s = matrix[i * dim + j]!;
      for (let k = 0; k < j; k++) s -= l[i * dim + k]! * l[j * dim + k]!;
      l[i * dim + j] = s / ljj;
    }
  }
  return logDet;
}

/** Indices of the sorted top two entries of `scores` (second is −1 when there is one entry). */
export function topTwo(scores: ArrayLike<number>): [number, number] {
  let first = -1;
  let second = -1;
  for (let i = 0; i < scores.length; i++) {
    if (first < 0 || scores[i]! > scores[first]!) {
      second = first;
      first = i;
    } else if (second < 0 || scores[i]! > scores[second]!) second = i;
  }
  return [first, second];
}

/** Mean of a list (0 for an empty one). */
export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return xs.length ? s / xs.length : 0;
}

/** A standard normal draw from two uniforms (Box–Muller). */
export function normal(u: () => number): number {
  const a = 1 - u(); // (0, 1]
  return Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * u());
}
