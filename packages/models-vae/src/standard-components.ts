import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import {
  AnalyticKl,
  BernoulliLikelihood,
  NO_PARAMETERS,
  StandardNormalPrior,
  defineComponent,
  opt,
  type DiagonalGaussian,
  type Divergence,
  type DivergenceTerms,
  type Posterior,
  type Prior,
} from '@elbo/core';

export { AnalyticKl, BernoulliLikelihood, StandardNormalPrior };

/**
 * β·KL estimated by one Monte-Carlo sample, log q(z|x) − log p(z) at the reparameterised z, for
 * priors without a closed-form KL (mixtures, flows). Unbiased; noisier than the analytic form.
 */
export class MonteCarloKl implements Divergence {
  readonly perExample = true;
  /** log q(z|x) of its sample is all it reads: any posterior with a density (flows, two layers). */
  readonly needs = 'density';
  constructor(readonly beta: number) {}

  parameters() {
    return NO_PARAMETERS;
  }

  terms(q: Posterior, _p: DiagonalGaussian | undefined, z: tf.Tensor2D, prior: Prior): DivergenceTerms {
    const kl = tf.mean(tf.sub(q.logProb(z), prior.logProb(z))) as tf.Scalar;
    return { total: this.beta === 1 ? kl : (tf.mul(kl, this.beta) as tf.Scalar), parts: { kl } };
  }
}

const klOptions = z.object({ beta: opt.nonNegative().default(1).describe('weight of the KL term (1: the ELBO; > 1: β-VAE)') }).strict();
const none = z.object({}).strict();

/**
 * The plain VAE's prior, likelihood and KL (core's classes) as the components a config names:
 * `prior/standard-normal`, `likelihood/bernoulli`, `divergence/kl` and `divergence/mc-kl`.
 */
export const standardComponents = [
  defineComponent({ kind: 'prior', name: 'standard-normal', summary: 'p(z) = N(0, I)', options: none, create: (_o, ctx) => new StandardNormalPrior(ctx.shape!.latentDim) }),
  defineComponent({ kind: 'likelihood', name: 'bernoulli', summary: 'Bernoulli on logits, for binary data', options: none, create: () => new BernoulliLikelihood() }),
  ...(
    [
      ['kl', 'β·KL(q‖p) in closed form (Gaussian prior); β = 1 is the plain VAE', (beta: number) => new AnalyticKl(beta)],
      ['mc-kl', 'β·KL(q‖p) by one Monte-Carlo sample, for priors without a closed form', (beta: number) => new MonteCarloKl(beta)],
    ] as const
  ).map(([name, summary, make]) => defineComponent({ kind: 'divergence', name, summary, options: klOptions, create: (o) => make(o.beta) })),
];
