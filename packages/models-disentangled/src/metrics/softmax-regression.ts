import { fractionCorrect } from './statistics.js';

/** Options of SoftmaxRegression.fit. */
export interface SoftmaxRegressionOptions {
  /** λ₁: L1 penalty on the weights (not the biases), added to the mean cross-entropy. Default 0. */
  readonly l1?: number;
  /** λ₂: L2 penalty (λ₂/2)·‖W‖² on the weights. Default 0. */
  readonly l2?: number;
  /** Iteration cap of the solver. Default 500. */
  readonly maxIterations?: number;
  /** Stop when no parameter moved more than `tolerance · max(1, max |θ|)`. Default 1e-6. */
  readonly tolerance?: number;
  /** Standardise every input column with its mean and standard deviation first. Default true. */
  readonly standardize?: boolean;
}

/**
 * Multinomial logistic regression (softmax over k classes), optionally L1- and L2-regularised:
 *
 *   minimise  (1/n) Σ_i −log softmax(Wᵀx̃_i + b)_{y_i}  +  λ₁ Σ|W|  +  (λ₂/2) Σ W²
 *
 * over W (d × k) and b (k), with x̃ the (optionally standardised) inputs, solved by FISTA (proximal
 * gradient with Nesterov momentum and gradient-based restarts) with the fixed step 1/L, where
 * L = ½·λ_max(X̃ᵀX̃/n) + λ₂ bounds the curvature (Böhning's bound on the softmax Hessian, X̃ with a
 * column of ones). Deterministic: no random initialisation, no sampling.
 */
export class SoftmaxRegression {
  private constructor(
    readonly d: number,
    readonly k: number,
    /** Weights, d × k row-major (row j: feature j's weight for each class), on standardised inputs. */
    readonly weights: Float64Array,
    readonly bias: Float64Array,
    private readonly mean: Float64Array,
    private readonly scale: Float64Array,
    /** Solver iterations used. */
    readonly iterations: number,
  ) {}

  static fit(x: Float64Array, n: number, d: number, y: Int32Array, k: number, options: SoftmaxRegressionOptions = {}): SoftmaxRegression {
    const { l1 = 0, l2 = 0, maxIterations = 500, tolerance = 1e-6, standardize = true } = options;
    const mean = new Float64Array(d);
    const scale = new Float64Array(d).fill(1);
    if (standardize) {
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j]! / n;
      const v = new Float64Array(d);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) v[j] += (x[i * d + j]! - mean[j]!) ** 2 / n;
      for (let j = 0; j < d; j++) scale[j] = v[j]! > 0 ? 1 / Math.sqrt(v[j]!) : 1;
    }
    const xs = new Float64Array(n * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) xs[i * d + j] = (x[i * d + j]! - mean[j]!) * scale[j]!;

    const rows = d + 1; // parameter rows: d weight rows, then the bias row
    const step = 1 / (0.5 * gramMaxEigen(xs, n, d) + l2);
    let theta = new Float64Array(rows * k);
    let previous = new Float64Array(rows * k);
    const point = new Float64Array(rows * k);
    const grad = new Float64Array(rows * k);
    const logits = new Float64Array(k);
    let t = 1;
    let it = 0;
    for (; it < maxIterations; it++) {
      const tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
      const momentum = (t - 1) / tNext;
      for (let p = 0; p < point.length; p++) point[p] = theta[p]! + momentum * (theta[p]! - previous[p]!);
      // Gradient of the mean cross-entropy at `point`.
      grad.fill(0);
      for (let i = 0; i < n; i++) {
        let max = -Infinity;
        for (let c = 0; c < k; c++) {
          let s = point[d * k + c]!;
          for (let j = 0; j < d; j++) s += xs[i * d + j]! * point[j * k + c]!;
          logits[c] = s;
          if (s > max) max = s;
        }
        let z = 0;
        for (let c = 0; c < k; c++) z += logits[c] = Math.exp(logits[c]! - max);
        logits[y[i]!] -= z; // p − onehot, times z
        for (let c = 0; c < k; c++) {
          const r = logits[c]! / (z * n);
          for (let j = 0; j < d; j++) grad[j * k + c] += xs[i * d + j]! * r;
          grad[d * k + c] += r;
        }
      }
      const next = previous; // reuse the buffer two steps back
      let moved = 0;
      let size = 0;
      let restart = 0;
      for (let p = 0; p < next.length; p++) {
        const isWeight = p < d * k;
        let v = point[p]! - step * (grad[p]! + (isWeight ? l2 * point[p]! : 0));
        if (isWeight && l1 > 0) v = Math.sign(v) * Math.max(0, Math.abs(v) - step * l1);
        restart += (point[p]! - v) * (v - theta[p]!);
        moved = Math.max(moved, Math.abs(v - theta[p]!));
        size = Math.max(size, Math.abs(v));
        next[p] = v;
      }
      previous = theta;
      theta = next;
      t = restart > 0 ? 1 : tNext; // restart the momentum when it points uphill
      if (moved <= tolerance * Math.max(1, size)) {
        it++;
        break;
      }
    }
    return new SoftmaxRegression(d, k, theta.slice(0, d * k), theta.slice(d * k), mean, scale, it);
  }

  /** The most probable class of each of the n rows of x. */
  predict(x: Float64Array, n: number): Int32Array {
    const { d, k, weights, bias, mean, scale } = this;
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestScore = -Infinity;
      for (let c = 0; c < k; c++) {
        let s = bias[c]!;
        for (let j = 0; j < d; j++) s += (x[i * d + j]! - mean[j]!) * scale[j]! * weights[j * k + c]!;
        if (s > bestScore) {
          bestScore = s;
          best = c;
        }
      }
      out[i] = best;
    }
    return out;
  }

  /** Fraction of the n rows whose predicted class is y. */
  accuracy(x: Float64Array, n: number, y: Int32Array): number {
    return fractionCorrect(this.predict(x, n), y, n);
  }

  /** Importance of each input: Σ_c |W_jc| on the standardised inputs (zero where L1 removed it). */
  importance(): Float64Array {
    const out = new Float64Array(this.d);
    for (let j = 0; j < this.d; j++) for (let c = 0; c < this.k; c++) out[j] += Math.abs(this.weights[j * this.k + c]!);
    return out;
  }
}

/** Largest eigenvalue of [X 1]ᵀ[X 1]/n by power iteration (the matrix is (d+1)², tiny). */
function gramMaxEigen(x: Float64Array, n: number, d: number): number {
  const m = d + 1;
  const g = new Float64Array(m * m);
  const row = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = x[i * d + j]!;
    row[d] = 1;
    for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) g[a * m + b] += (row[a]! * row[b]!) / n;
  }
  // Gershgorin's bound (max absolute row sum) is a safe fallback when power iteration stalls.
  let gershgorin = 0;
  for (let a = 0; a < m; a++) {
    let s = 0;
    for (let b = 0; b < m; b++) s += Math.abs(g[a * m + b]!);
    gershgorin = Math.max(gershgorin, s);
  }
  let v = new Float64Array(m).fill(1 / Math.sqrt(m));
  let lambda = 0;
  for (let it = 0; it < 200; it++) {
    const w = new Float64Array(m);
    for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) w[a] += g[a * m + b]! * v[b]!;
    const norm = Math.hypot(...w);
    if (norm === 0) return 1;
    v = w.map((e) => e / norm);
    if (Math.abs(norm - lambda) <= 1e-10 * norm) return Math.min(gershgorin, norm * 1.001);
    lambda = norm;
  }
  return gershgorin;
}
