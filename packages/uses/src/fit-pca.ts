/** Principal component analysis fitted to a set of rows. */
export interface Pca {
  /** The rows' mean, subtracted before projecting. */
  readonly mean: Float64Array;
  /** The k principal axes (unit vectors, by decreasing variance). */
  readonly components: readonly Float64Array[];
  /** Variance along each axis (the covariance's eigenvalues). */
  readonly variances: readonly number[];
  /** Each axis's share of the total variance. */
  readonly explained: readonly number[];
  /** Coordinates of rows (n × dim, row-major) on the axes: n × k, row-major. */
  project(rows: ArrayLike<number>): Float32Array;
}

/**
 * PCA by eigen-decomposition of the sample covariance (1/(n−1)) Σ (x−μ)(x−μ)ᵀ, in float64, with
 * the cyclic Jacobi method for symmetric matrices (Golub & Van Loan, Matrix Computations, §8.5):
 * rotations zero the off-diagonal until its norm is below 1e-12 of the total, giving every
 * eigenpair to machine precision, also for nearly equal eigenvalues where power iteration stalls.
 * O(dim³) per sweep, meant for latent codes (dim up to a few hundred). Each axis's sign is fixed
 * so that its largest-magnitude entry is positive, so the same data always gives the same picture.
 */
export function fitPca(rows: ArrayLike<number>, dim: number, k = 2): Pca {
  if (!(Number.isInteger(dim) && dim > 0) || rows.length % dim !== 0) throw new RangeError(`${rows.length} values do not split into rows of ${dim}`);
  const n = rows.length / dim;
  if (n < 2) throw new RangeError(`PCA needs at least 2 rows, got ${n}`);
  if (!(Number.isInteger(k) && k >= 1 && k <= dim)) throw new RangeError(`k: expected 1 … ${dim} components, got ${k}`);
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j]! += rows[i * dim + j]! / n;
  const cov = new Float64Array(dim * dim);
  const c = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) c[j] = rows[i * dim + j]! - mean[j]!;
    for (let a = 0; a < dim; a++) {
      const ca = c[a]!;
      for (let b = a; b < dim; b++) cov[a * dim + b]! += ca * c[b]!;
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      cov[a * dim + b]! /= n - 1;
      cov[b * dim + a] = cov[a * dim + b]!;
    }
  }
  const { values, vectors } = symmetricEigen(cov, dim);
  const order = Array.from({ length: dim }, (_, i) => i).sort((a, b) => values[b]! - values[a]!);
  const total = values.reduce((s, v) => s + Math.max(v, 0), 0);
  const components = order.slice(0, k).map((col) => {
    const v = Float64Array.from({ length: dim }, (_, r) => vectors[r * dim + col]!);
    let big = 0;
    for (let r = 1; r < dim; r++) if (Math.abs(v[r]!) > Math.abs(v[big]!)) big = r;
    if (v[big]! < 0) for (let r = 0; r < dim; r++) v[r] = -v[r]!;
    return v;
  });
  const variances = order.slice(0, k).map((i) => Math.max(values[i]!, 0));
  return {
    mean,
    components,
    variances,
    explained: variances.map((v) => (total > 0 ? v / total : 0)),
    project(x: ArrayLike<number>): Float32Array {
      if (x.length % dim !== 0) throw new RangeError(`${x.length} values do not split into rows of ${dim}`);
      const m = x.length / dim;
      const out = new Float32Array(m * k);
      for (let i = 0; i < m; i++) {
        for (let p = 0; p < k; p++) {
          const w = components[p]!;
          let s = 0;
          for (let j = 0; j < dim; j++) s += (x[i * dim + j]! - mean[j]!) * w[j]!;
          out[i * k + p] = s;
        }
      }
      return out;
    },
  };
}

/**
 * Eigenvalues and eigenvectors (columns of `vectors`, row-major dim × dim) of a symmetric matrix,
 * by cyclic Jacobi rotations. The input is not modified.
 */
export function symmetricEigen(matrix: ArrayLike<number>, dim: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) v[i * dim + i] = 1;
  let norm = 0;
  for (let i = 0; i < a.length; i++) norm += a[i]! * a[i]!;
  const tol = 1e-24 * norm;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < dim; p++) for (let q = p + 1; q < dim; q++) off += 2 * a[p * dim + q]! ** 2;
    if (off <= tol) break;
    for (let p = 0; p < dim - 1; p++) {
      for (let q = p + 1; q < dim; q++) {
        const apq = a[p * dim + q]!;
        if (apq === 0) continue;
        const theta = (a[q * dim + q]! - a[p * dim + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const cs = 1 / Math.sqrt(t * t + 1);
        const sn = t * cs;
        for (let r = 0; r < dim; r++) {
          // A ← Jᵀ A J: columns p and q, then rows p and q.
          const arp = a[r * dim + p]!;
          const arq = a[r * dim + q]!;
          a[r * dim + p] = cs * arp - sn * arq;
          a[r * dim + q] = sn * arp + cs * arq;
        }
        for (let r = 0; r < dim; r++) {
          const apr = a[p * dim + r]!;
          const aqr = a[q * dim + r]!;
          a[p * dim + r] = cs * apr - sn * aqr;
          a[q * dim + r] = sn * apr + cs * aqr;
        }
        for (let r = 0; r < dim; r++) {
          const vrp = v[r * dim + p]!;
          const vrq = v[r * dim + q]!;
          v[r * dim + p] = cs * vrp - sn * vrq;
          v[r * dim + q] = sn * vrp + cs * vrq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: dim }, (_, i) => a[i * dim + i]!), vectors: v };
}
