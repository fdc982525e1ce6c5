import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, DiagonalGaussian, type Condition, type DataSplit, type VaeModel } from '@elbo/core';
import { mapBatches, type BatchOptions } from './map-batches.js';

/** The approximate posterior q(z|x) = N(μ, diag σ²) of every row, as plain arrays. */
export interface Encodings {
  readonly n: number;
  /** Latent dimensions L. */
  readonly dim: number;
  /** Posterior means, n × L row-major. */
  readonly mean: Float32Array;
  /** Posterior standard deviations σ = exp(½ log σ²), n × L row-major. */
  readonly sigma: Float32Array;
  /** The rows' labels when the split has them. */
  readonly labels?: Int32Array;
}

/** q(z|x[, c]) of a batch, which the uses that read μ (and σ) need to be a diagonal Gaussian. */
export function diagonalPosterior(model: VaeModel, x: tf.Tensor2D, c: Condition): DiagonalGaussian {
  const q = model.encode(x, c);
  if (!(q instanceof DiagonalGaussian)) throw new ConfigError('encodings read μ and σ, and model.posterior is not a diagonal Gaussian');
  return q;
}

/**
 * Encodes every row of `split` (the first `limit`): μ and σ of q(z|x[, c]) per row, with the
 * encoder in inference mode. The means are the usual latent features for downstream models.
 */
export async function encodeExamples(model: VaeModel, split: DataSplit, opts: BatchOptions = {}): Promise<Encodings> {
  const L = model.shape.latentDim;
  const both = await mapBatches(model, split, 2 * L, opts, (x, c) => {
    const q = diagonalPosterior(model, x, c);
    return tf.concat([q.mean, q.stddev()], 1);
  });
  const n = both.length / (2 * L);
  const mean = new Float32Array(n * L);
  const sigma = new Float32Array(n * L);
  for (let i = 0; i < n; i++) {
    mean.set(both.subarray(i * 2 * L, i * 2 * L + L), i * L);
    sigma.set(both.subarray(i * 2 * L + L, (i + 1) * 2 * L), i * L);
  }
  return { n, dim: L, mean, sigma, labels: split.labels?.slice(0, n) };
}
