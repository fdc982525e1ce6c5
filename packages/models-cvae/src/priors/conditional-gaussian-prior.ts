import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ConfigError, DiagonalGaussian, defineNetwork, opt, type Condition, type ParameterStore, type Prior, type RandomStream } from '@elbo/core';
import { Mlp, type Activation } from '@elbo/compute';
import { activationOption } from '@elbo/core';

/**
 * A learned conditional prior p(z | c) = N(μ(c), diag exp(ℓ(c))) from a small network over c
 * (Sohn et al. 2015, the "conditional prior network"). Gaussian, so KL(q(z|x,c) ‖ p(z|c)) is taken
 * in closed form by `divergence/kl`. The head starts at zero: p(z|c) = N(0, I) before training.
 */
export class ConditionalGaussianPrior implements Prior {
  readonly gaussian = true;
  private readonly net: Mlp;

  constructor(
    private readonly store: ParameterStore,
    conditionDim: number,
    readonly latentDim: number,
    hidden: readonly number[],
    activation: Activation,
    init: RandomStream,
  ) {
    this.net = new Mlp(store, conditionDim, hidden, 2 * latentDim, activation, init);
    tf.tidy(() => this.net.head.kernel.assign(tf.zerosLike(this.net.head.kernel)));
  }

  parameters() {
    return this.store.parameters();
  }

  distribution(_n: number, c?: Condition): DiagonalGaussian {
    if (!c) throw new ConfigError('model.prior: prior/conditional-gaussian needs a condition (set model.condition)');
    return DiagonalGaussian.fromParams(this.net.apply(c));
  }

  logProb(z: tf.Tensor, c?: Condition): tf.Tensor {
    return tf.tidy(() => this.distribution(0, c).logProb(z));
  }

  sample(_n: number, seed: number, c?: Condition): tf.Tensor2D {
    return tf.tidy(() => this.distribution(0, c).rsample(seed));
  }
}

export const conditionalGaussianPrior = defineNetwork({
  kind: 'prior',
  name: 'conditional-gaussian',
  summary: 'Learned p(z|c) = N(μ(c), σ²(c)) from a small network over the condition',
  options: z
    .object({
      hidden: opt.widths().default([64]).describe('hidden widths of the prior network'),
      activation: activationOption().default('relu').describe('activation of the hidden layers'),
    })
    .strict(),
  build: (o, s, params, init) => {
    if (s.conditionDim === 0) throw new ConfigError('model.prior: prior/conditional-gaussian needs model.condition (e.g. { name: onehot })');
    return new ConditionalGaussianPrior(params, s.conditionDim, s.latentDim, o.hidden, o.activation as Activation, init);
  },
});
