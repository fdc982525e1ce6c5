import type { Codes, Uniform } from './ground-truth-sampling.js';
import { normal } from './statistics.js';

const LOG_2PI = Math.log(2 * Math.PI);
/** Log-variances are floored here (σ ≥ 1e-6) so a near-deterministic encoder keeps finite densities. */
const MIN_LOG_VAR = Math.log(1e-12);

/**
 * Monte-Carlo entropy of one latent dimension under the aggregate posterior of a set of points,
 * Chen et al.'s estimator: H(z_j) ≈ −(1/|S|) Σ_{s∈S} log (1/|S|) Σ_{n∈S} q(z_sj | x_n), with one
 * sample z_s ~ q(z_j | x_s) per point. Cost O(|S|²).
 */
function entropyOf(set: Int32Array, z: Float64Array, mu: Float64Array, logNorm: Float64Array, halfPrecision: Float64Array): number {
  const m = set.length;
  if (m === 0) return 0;
  const log = new Float64Array(m);
  let total = 0;
  for (let a = 0; a < m; a++) {
    const zs = z[set[a]!]!;
    let max = -Infinity;
    for (let b = 0; b < m; b++) {
      const n = set[b]!;
      const d = zs - mu[n]!;
      const v = logNorm[n]! - d * d * halfPrecision[n]!; // log N(z_s; μ_n, σ_n²)
      log[b] = v;
      if (v > max) max = v;
    }
    let sum = 0;
    for (let b = 0; b < m; b++) sum += Math.exp(log[b]! - max);
    total += max + Math.log(sum) - Math.log(m);
  }
  return -total / m;
}

/**
 * Mutual information I(z_j; v_k) = H(z_j) − H(z_j | v_k) (nats) between every latent dimension j and
 * every factor k, estimated as in Chen et al. 2018 ("Isolating Sources of Disentanglement in VAEs",
 * §5 and their `mutual_info_metric_shapes`): entropies of q(z_j) by the Monte-Carlo estimator above
 * with one reparameterised sample per point, and H(z_j | v_k) = Σ_v p(v) H(z_j | v_k = v) with each
 * conditional entropy estimated within the points whose factor k has class v.
 *
 * Chen et al. use all 737,280 dSprites images as the mixture; here the mixture is the sampled points
 * (a Monte-Carlo approximation of the same quantity). Estimates below 0 are clamped to 0.
 * Returns a dim × factors matrix (row-major).
 */
export function chenMutualInfo(mean: Codes, logVar: Codes, classes: readonly Int32Array[], sizes: readonly number[], u: Uniform): Float64Array {
  const { n, dim } = mean;
  const out = new Float64Array(dim * classes.length);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const groups = classes.map((column, k) => {
    const counts = new Int32Array(sizes[k]!);
    for (const c of column) counts[c]++;
    const sets = Array.from(counts, (c) => new Int32Array(c));
    const fill = new Int32Array(sizes[k]!);
    column.forEach((c, i) => (sets[c]![fill[c]!++] = i));
    return sets;
  });
  const mu = new Float64Array(n);
  const logNorm = new Float64Array(n);
  const halfPrecision = new Float64Array(n);
  const z = new Float64Array(n);
  for (let j = 0; j < dim; j++) {
    for (let i = 0; i < n; i++) {
      mu[i] = mean.values[i * dim + j]!;
      const lv = Math.max(MIN_LOG_VAR, logVar.values[i * dim + j]!);
      logNorm[i] = -0.5 * (LOG_2PI + lv);
      halfPrecision[i] = 0.5 * Math.exp(-lv);
      z[i] = mu[i]! + Math.exp(0.5 * lv) * normal(u);
    }
    const marginal = entropyOf(all, z, mu, logNorm, halfPrecision);
    groups.forEach((sets, k) => {
      let conditional = 0;
      for (const set of sets) conditional += (set.length / n) * entropyOf(set, z, mu, logNorm, halfPrecision);
      out[j * classes.length + k] = Math.max(0, marginal - conditional);
    });
  }
  return out;
}
