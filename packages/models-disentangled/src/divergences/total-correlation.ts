import * as tf from '@tensorflow/tfjs-core';
import type { DiagonalGaussian, Prior } from '@elbo/core';

const LOG_2PI = Math.log(2 * Math.PI);

/** How log q(z) and log Π_d q(z_d) are estimated from one minibatch. */
export type TcEstimator = 'mws' | 'mss';
export const TC_ESTIMATORS = ['mss', 'mws'] as const satisfies readonly TcEstimator[];

/** The three parts of the KL decomposition, batch means (nats). */
export interface KlDecomposition {
  /** Index-code mutual information I_q(z; n) = E[log q(z|n) − log q(z)]. */
  readonly mi: tf.Scalar;
  /** Total correlation KL(q(z) ‖ Π_d q(z_d)) = E[log q(z) − Σ_d log q(z_d)]. */
  readonly tc: tf.Scalar;
  /** Dimension-wise KL Σ_d KL(q(z_d) ‖ p(z_d)) = E[Σ_d log q(z_d) − log p(z)]. */
  readonly dwkl: tf.Scalar;
}

/**
 * log q(z_i | x_j) per latent dimension for every pair of the batch: entry (i, j, d) is
 * log N(z_id; μ_jd, σ²_jd), shape [B, B, D]. Row i holds code i under every example's posterior.
 */
export function pairwiseLogDensity(q: DiagonalGaussian, z: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const zi = tf.expandDims(z, 1);
    const mu = tf.expandDims(q.mean, 0);
    const lv = tf.expandDims(q.logVar, 0);
    const sq = tf.mul(tf.square(tf.sub(zi, mu)), tf.exp(tf.neg(lv)));
    return tf.mul(tf.add(tf.add(sq, lv), LOG_2PI), -0.5) as tf.Tensor3D;
  });
}

function checkSizes(batch: number, datasetSize: number): void {
  if (!Number.isInteger(datasetSize) || datasetSize < batch) {
    throw new Error(`β-TCVAE: the dataset size N must be an integer ≥ the batch size ${batch}, got ${datasetSize} (N comes from the trainer's DivergenceContext.datasetSize)`);
  }
  if (batch < 2) throw new Error(`β-TCVAE: minibatch estimates of q(z) need a batch of at least 2 codes, got ${batch}`);
}

/**
 * The importance weights of minibatch stratified sampling (Chen et al. 2018, appendix on minibatch
 * stratified sampling), as a row-major B×B matrix of log-weights. Row i estimates
 * q(z_i) = Σ_j w_ij q(z_i | x_j) for the code z_i drawn from q(z | x_i), with M = B:
 *   w_ii = 1/N (the code's own example);
 *   w_ij = (N − M + 1) / (N (M − 1)) for one other example, j = (i + 1) mod B (the stratum that
 *          holds the rest of the data set);
 *   w_ij = 1 / (M − 1) for the other M − 2 examples.
 * Each row sums to 1. (The reference code's `_log_importance_weight_matrix` means these weights but
 * its strided writes put 1/N in column 0 and the stratum weight in column 1 of every row — see
 * YannDubs/disentangling-vae#58; we write the diagonal and the next column as the paper says.)
 */
export function mssLogWeights(batch: number, datasetSize: number): Float32Array {
  checkSizes(batch, datasetSize);
  const B = batch;
  const N = datasetSize;
  const own = -Math.log(N);
  const stratum = Math.log(N - B + 1) - Math.log(N) - Math.log(B - 1);
  const other = -Math.log(B - 1);
  const w = new Float32Array(B * B).fill(other);
  for (let i = 0; i < B; i++) {
    w[i * B + i] = own;
    w[i * B + ((i + 1) % B)] = stratum;
  }
  return w;
}

/**
 * Chen et al.'s (2018) decomposition of the batch-mean KL(q(z|x) ‖ p(z)) into index-code mutual
 * information, total correlation and dimension-wise KL (their §3 decomposition), estimated at one code
 * z_i ~ q(z | x_i) per example (the reparameterised sample the objective decodes):
 *   mi   = mean_i [log q(z_i|x_i) − log q̂(z_i)]
 *   tc   = mean_i [log q̂(z_i) − Σ_d log q̂(z_id)]
 *   dwkl = mean_i [Σ_d log q̂(z_id) − log p(z_i)]
 * The sum telescopes: mi + tc + dwkl = mean_i [log q(z_i|x_i) − log p(z_i)], the one-sample
 * Monte-Carlo KL, exactly, whatever q̂ is. q̂ is estimated from the batch, with N = `datasetSize`,
 * the size of the training split (never inferred from a loss weight):
 *
 * - `mws`, minibatch weighted sampling (Chen et al. 2018, the minibatch estimator of the main text):
 *   log q̂(z_i) = log Σ_j q(z_i|x_j) − log(B·N), and log q̂(z_id) = log Σ_j q(z_id|x_j) − log(B·N).
 *   Relative to the plain minibatch average (constant log B) every log-density is lower by exactly
 *   log N, so the reported parts are offset by exact constants: mi by +log N, tc by +(D−1)·log N,
 *   dwkl by −D·log N. The gradients are those of the plain average; the tc values are large and
 *   positive (e.g. ≈ 9·log 737,280 ≈ 122 nats for D = 10 on dSprites) and are comparable only
 *   between runs with the same N and D.
 * - `mss`, minibatch stratified sampling (Chen et al. 2018, appendix): q̂(z_i) = Σ_j w_ij q(z_i|x_j)
 *   with the weights of `mssLogWeights`. A consistent estimate: its tc approaches the true total
 *   correlation as the batch grows. With small batches it is biased low (the D-dimensional density
 *   estimate suffers more from Jensen's gap than the one-dimensional marginals), so a negative tc is
 *   expected there and is reported as is, never clamped.
 *
 * Must be called inside a tf.tidy (it returns scalars it does not own).
 */
export function decomposeKl(q: DiagonalGaussian, z: tf.Tensor2D, prior: Prior, estimator: TcEstimator, datasetSize: number): KlDecomposition {
  const [B] = z.shape;
  checkSizes(B, datasetSize);
  const l = pairwiseLogDensity(q, z);
  let logQz: tf.Tensor1D;
  let logQzd: tf.Tensor2D;
  if (estimator === 'mws') {
    const logBN = Math.log(B) + Math.log(datasetSize);
    logQz = tf.sub(tf.logSumExp(tf.sum(l, 2), 1), logBN);
    logQzd = tf.sub(tf.logSumExp(l, 1), logBN);
  } else if (estimator === 'mss') {
    const w = tf.tensor2d(mssLogWeights(B, datasetSize), [B, B]);
    logQz = tf.logSumExp(tf.add(tf.sum(l, 2), w), 1);
    logQzd = tf.logSumExp(tf.add(l, tf.expandDims(w, 2)), 1);
  } else {
    throw new Error(`β-TCVAE: unknown estimator ${JSON.stringify(estimator)} (expected "mws" or "mss")`);
  }
  const logProd = tf.sum(logQzd, 1);
  const logQzx = q.logProb(z);
  const logPz = prior.logProb(z);
  return {
    mi: tf.mean(tf.sub(logQzx, logQz)) as tf.Scalar,
    tc: tf.mean(tf.sub(logQz, logProd)) as tf.Scalar,
    dwkl: tf.mean(tf.sub(logProd, logPz)) as tf.Scalar,
  };
}
