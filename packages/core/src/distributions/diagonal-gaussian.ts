import * as tf from '@tensorflow/tfjs-core';
import { randomNormal } from '@elbo/compute';
import type { Posterior } from './posterior.js';

/** Where a part of a batch sits in the whole batch (data-parallel training). */
export interface BatchRows {
  /** Index of the part's first row in the whole batch. */
  readonly offset: number;
  /** Rows of the whole batch. */
  readonly total: number;
}

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Diagonal Gaussian N(μ, diag(σ²)) over the last axis, parameterised by its log-variance
 * (log σ²) so that σ stays positive and small variances stay representable.
 *
 * All reductions sum over the event (last) axis and return one value per example.
 * The object does not own its tensors: whoever created them disposes them (usually a tf.tidy).
 */
export class DiagonalGaussian implements Posterior {
  constructor(
    readonly mean: tf.Tensor2D,
    readonly logVar: tf.Tensor2D,
  ) {}

  /**
   * The Gaussian a network head describes: `params` [batch, 2L] holds μ in its first L columns
   * and log σ² in the last L (the layout of every ELBO encoder and learned prior).
   */
  static fromParams(params: tf.Tensor2D): DiagonalGaussian {
    const [mean, logVar] = tf.split(params, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    return new DiagonalGaussian(mean, logVar);
  }

  /** A standard normal N(0, I) of the given batch shape. */
  static standard(batch: number, dim: number): DiagonalGaussian {
    return new DiagonalGaussian(tf.zeros([batch, dim]), tf.zeros([batch, dim]));
  }

  get dim(): number {
    return this.mean.shape[1];
  }

  get batch(): number {
    return this.mean.shape[0];
  }

  /** σ = exp(½ log σ²). */
  stddev(): tf.Tensor2D {
    return tf.exp(tf.mul(this.logVar, 0.5)) as tf.Tensor2D;
  }

  /**
   * Reparameterised sample z = μ + σ ⊙ ε with ε ~ N(0, I) drawn from `seed`, so that gradients flow
   * to μ and log σ² (Kingma & Welling 2014, §2.4).
   */
  rsample(seed: number, rows?: BatchRows): tf.Tensor2D {
    return tf.tidy(() => {
      const [b, d] = this.mean.shape;
      // Rows of a larger batch: draw the whole batch's ε and take this part's rows, so that a batch
      // split across workers sees exactly the noise it would have seen whole.
      const eps = rows ? tf.slice(randomNormal([rows.total, d], 0, 1, seed), [rows.offset, 0], [b, d]) : randomNormal([b, d], 0, 1, seed);
      return tf.add(this.mean, tf.mul(this.stddev(), eps));
    });
  }

  /** `k` reparameterised samples, shape [k, batch, dim]. */
  rsampleK(k: number, seed: number): tf.Tensor3D {
    return tf.tidy(() => {
      const [b, d] = this.mean.shape;
      const eps = randomNormal([k, b, d], 0, 1, seed);
      return tf.add(tf.expandDims(this.mean, 0), tf.mul(tf.expandDims(this.stddev(), 0), eps)) as tf.Tensor3D;
    });
  }

  /**
   * log N(z; μ, σ²) summed over the event axis: −½ Σ_d [log 2π + log σ²_d + (z_d − μ_d)² / σ²_d].
   * `z` may carry extra leading sample axes ([k, batch, dim]); the result then has shape [k, batch].
   */
  logProb(z: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const sq = tf.square(tf.sub(z, this.mean));
      const inner = tf.add(tf.add(tf.mul(sq, tf.exp(tf.neg(this.logVar))), this.logVar), LOG_2PI);
      return tf.mul(tf.sum(inner, -1), -0.5);
    });
  }

  /**
   * Closed-form KL(this ‖ other) per dimension, shape [batch, dim]:
   * ½ [log σ²_p − log σ²_q + (σ²_q + (μ_q − μ_p)²) / σ²_p − 1].
   */
  klPerDim(other: DiagonalGaussian): tf.Tensor2D {
    return tf.tidy(() => {
      const varRatio = tf.exp(tf.sub(this.logVar, other.logVar));
      const meanTerm = tf.mul(tf.square(tf.sub(this.mean, other.mean)), tf.exp(tf.neg(other.logVar)));
      return tf.mul(tf.sub(tf.add(tf.sub(other.logVar, this.logVar), tf.add(varRatio, meanTerm)), 1), 0.5);
    });
  }

  /** Closed-form KL(this ‖ other) summed over dimensions, shape [batch]. */
  kl(other: DiagonalGaussian): tf.Tensor1D {
    return tf.tidy(() => tf.sum(this.klPerDim(other), -1));
  }

  /** Entropy per example, ½ Σ_d (1 + log 2π + log σ²_d). */
  entropy(): tf.Tensor1D {
    return tf.tidy(() => tf.mul(tf.sum(tf.add(this.logVar, 1 + LOG_2PI), -1), 0.5));
  }
}
