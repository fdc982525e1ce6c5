import type * as tf from '@tensorflow/tfjs-core';
import type { BatchRows, DiagonalGaussian } from './diagonal-gaussian.js';
import type { HasParameters } from '../model/parameters.js';

/**
 * q(z | x[, c]) for a batch, as the objective, divergence and evaluation read it. The diagonal
 * Gaussian is one; a posterior family makes others (flows, a codebook, a second stochastic layer).
 */
export interface Posterior {
  /** A point summary [batch, dim] (a Gaussian's mean): reconstructions, encodings, active units. */
  readonly mean: tf.Tensor2D;
  readonly dim: number;
  /** Reparameterised z [batch, dim]; `rows`: this batch is part of a larger one. */
  rsample(seed: number, rows?: BatchRows): tf.Tensor2D;
  /** `k` reparameterised samples [k, batch, dim]. */
  rsampleK(k: number, seed: number): tf.Tensor3D;
  /** log q(z|x) per example ([k, batch] for [k, batch, dim]); a flow answers for the samples it drew. */
  logProb(z: tf.Tensor): tf.Tensor;
  /** Closed-form KL(q ‖ p) per dimension: only a posterior that provides 'gaussian' has one. */
  klPerDim(p: DiagonalGaussian): tf.Tensor2D;
}

/** What a posterior offers: `gaussian` (μ, log σ², closed-form KL), `density` (log q of its samples), or its own (`codebook`). */
export type PosteriorFeature = 'gaussian' | 'density' | (string & {});

/** `model.posterior`: q(z|x) made from the encoder's Gaussian. A latent wider than model.latent (a hierarchy) says so, and which part the decoder reads. */
export interface PosteriorFamily extends HasParameters {
  readonly provides: readonly PosteriorFeature[];
  readonly latentDim?: number;
  decoderInput?(z: tf.Tensor2D): tf.Tensor2D;
  posterior(base: DiagonalGaussian, training: boolean): Posterior;
}
export const PosteriorFamily = Symbol('PosteriorFamily');
