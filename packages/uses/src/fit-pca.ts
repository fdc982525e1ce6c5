import { covariance, EigenvalueDecomposition, Matrix } from 'ml-matrix';

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
 * ml-matrix (`covariance`, and `EigenvalueDecomposition` for symmetric matrices: Householder
 * tridiagonalisation and the QL algorithm, as in JAMA), which gives every eigenpair to machine
 * precision, also for nearly equal eigenvalues where power iteration stalls. O(n·dim² + dim³),
 * meant for latent codes (dim up to a few hundred). Each axis's sign is fixed so that its
 * largest-magnitude entry is positive, so the same data always gives the same picture.
 */
export function fitPca(rows: ArrayLike<number>, dim: number, k = 2): Pca {
  if (!(Number.isInteger(dim) && dim > 0) || rows.length % dim !== 0) throw new RangeError(`${rows.length} values do not split into rows of ${dim}`);
  const n = rows.length / dim;
  if (n < 2) throw new RangeError(`PCA needs at least 2 rows, got ${n}`);
  if (!(Number.isInteger(k) && k >= 1 && k <= dim)) throw new RangeError(`k: expected 1 … ${dim} components, got ${k}`);
  const x = Matrix.from1DArray(n, dim, Float64Array.from(rows));
  const mean = Float64Array.from(x.mean('column'));
  const { values, vectors } = symmetricEigen(covariance(x).to1DArray(), dim);
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
 * by ml-matrix's symmetric eigenvalue decomposition. The input is not modified.
 */
export function symmetricEigen(matrix: ArrayLike<number>, dim: number): { values: Float64Array; vectors: Float64Array } {
  const evd = new EigenvalueDecomposition(Matrix.from1DArray(dim, dim, Float64Array.from(matrix)), { assumeSymmetric: true });
  return { values: Float64Array.from(evd.realEigenvalues), vectors: Float64Array.from(evd.eigenvectorMatrix.to1DArray()) };
}
