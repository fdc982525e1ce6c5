import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { NO_PARAMETERS, defineComponent, opt, type DiagonalGaussian, type Divergence, type DivergenceContext, type DivergenceTerms, type Prior } from '@elbo/core';
import { batchKl } from './batch-kl.js';
import { TC_ESTIMATORS, decomposeKl, type TcEstimator } from './total-correlation.js';

export const betaTcOptions = z
  .object({
    alpha: opt.nonNegative().default(1).describe('α: weight of the index-code mutual information'),
    beta: opt.nonNegative().default(6).describe('β: weight of the total correlation'),
    gamma: opt.nonNegative().default(1).describe('γ: weight of the dimension-wise KL'),
    estimator: opt
      .oneOf(TC_ESTIMATORS)
      .default('mss')
      .describe('log q(z) from the minibatch: mss (stratified sampling, consistent values) or mws (weighted sampling, log(B·N) constant)'),
  })
  .strict();

export interface BetaTcSettings {
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  readonly estimator: TcEstimator;
}

/**
 * β-TCVAE (Chen et al. 2018): the KL term decomposed and reweighted,
 *   α·I_q(z; n) + β·KL(q(z) ‖ Π_d q(z_d)) + γ·Σ_d KL(q(z_d) ‖ p(z_d)),
 * each part estimated from the batch by `decomposeKl` (minibatch weighted or stratified sampling, see
 * there for the exact weights and constants) at the reparameterised code z the objective decodes,
 * with N = ctx.datasetSize, the real size of the training split. α = β = γ = 1 is the plain ELBO
 * (with the one-sample Monte-Carlo KL). With `mws` the total carries the constant
 * (α + β·(D − 1) − γ·D)·log N (see `decomposeKl`), so `train/loss` is not comparable to an ELBO;
 * the gradients are unaffected.
 *
 * Parts: `mi`, `tc`, `dwkl` (the estimates, unweighted; tc is never clamped and may be negative),
 * `kl` (the batch-mean KL in closed form for a Gaussian prior — mi + tc + dwkl equals its one-sample
 * Monte-Carlo estimate exactly, and the closed form in expectation), and `tc_negative` (1 when the
 * batch's tc estimate is below 0, else 0: its epoch mean, `train/tc_negative`, is the fraction of
 * steps whose TC estimate was negative, so a small-batch bias does not go unnoticed).
 */
export class BetaTcVae implements Divergence {
  constructor(readonly settings: BetaTcSettings) {}

  parameters() {
    return NO_PARAMETERS;
  }

  terms(q: DiagonalGaussian, p: DiagonalGaussian | undefined, z: tf.Tensor2D, prior: Prior, ctx: DivergenceContext): DivergenceTerms {
    const { alpha, beta, gamma, estimator } = this.settings;
    const { mi, tc, dwkl } = decomposeKl(q, z, prior, estimator, ctx.datasetSize);
    const total = tf.addN([tf.mul(mi, alpha), tf.mul(tc, beta), tf.mul(dwkl, gamma)]) as tf.Scalar;
    const kl = batchKl(q, p, z, prior);
    const negative = tf.cast(tf.less(tc, 0), 'float32') as tf.Scalar;
    return { total, parts: { mi, tc, dwkl, kl, tc_negative: negative } };
  }
}

export const betaTcDivergence = defineComponent({
  kind: 'divergence',
  name: 'beta-tc',
  summary: 'β-TCVAE: α·MI + β·TC + γ·dimension-wise KL, log q(z) by minibatch weighted or stratified sampling (Chen et al. 2018)',
  options: betaTcOptions,
  create: (o) => new BetaTcVae(o),
});
