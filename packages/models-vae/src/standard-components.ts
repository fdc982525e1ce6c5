import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { AnalyticKl, NO_PARAMETERS, defineComponent, opt, type DiagonalGaussian, type Divergence, type DivergenceTerms, type Prior } from '@elbo/core';

const klOptions = z.object({ beta: opt.nonNegative().default(1).describe('weight of the KL term (1: the ELBO; > 1: β-VAE)') }).strict();

export { AnalyticKl };

/**
 * β·KL estimated by one Monte-Carlo sample, log q(z|x) − log p(z) at the reparameterised z, for
 * priors without a closed-form KL (mixtures, flows). Unbiased; noisier than the analytic form.
 */
export class MonteCarloKl implements Divergence {
  readonly perExample = true;
  constructor(readonly beta: number) {}

  parameters() {
    return NO_PARAMETERS;
  }

  terms(q: DiagonalGaussian, _p: DiagonalGaussian | undefined, z: tf.Tensor2D, prior: Prior): DivergenceTerms {
    const kl = tf.mean(tf.sub(q.logProb(z), prior.logProb(z))) as tf.Scalar;
    return { total: this.beta === 1 ? kl : (tf.mul(kl, this.beta) as tf.Scalar), parts: { kl } };
  }
}

export const klDivergence = defineComponent({
  kind: 'divergence',
  name: 'kl',
  summary: 'β·KL(q‖p) in closed form (Gaussian prior); β = 1 is the plain VAE',
  options: klOptions,
  create: (o) => new AnalyticKl(o.beta),
});

export const mcKlDivergence = defineComponent({
  kind: 'divergence',
  name: 'mc-kl',
  summary: 'β·KL(q‖p) by one Monte-Carlo sample, for priors without a closed form',
  options: klOptions,
  create: (o) => new MonteCarloKl(o.beta),
});
