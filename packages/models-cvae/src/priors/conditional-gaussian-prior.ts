import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ConfigError, DiagonalGaussian, defineComponent, opt, type Condition, type ParameterStore, type Prior, type RandomStream } from '@elbo/core';
import { DenseLayer, Mlp } from '@elbo/compute';
import { activationOption } from '@elbo/core';
import type { Activation } from '@elbo/compute';

/**
 * A learned conditional prior p(z | c) = N(μ(c), diag exp(ℓ(c))) from a small network over c
 * (Sohn et al. 2015, the "conditional prior network"). Gaussian, so KL(q(z|x,c) ‖ p(z|c)) is taken
 * in closed form by `divergence/kl`. The head starts at zero: p(z|c) = N(0, I) before training.
 */
export class ConditionalGaussianPrior implements Prior {
  readonly gaussian = true;
  private readonly body: Mlp;
  private readonly head: DenseLayer;

  constructor(
    private readonly store: ParameterStore,
    conditionDim: number,
    readonly latentDim: number,
    hidden: readonly number[],
    activation: Activation,
    init: RandomStream,
  ) {
    this.body = new Mlp(store, conditionDim, hidden, activation, init);
    this.head = new DenseLayer(store, 'head', hidden.length ? this.body.outDim : conditionDim, 2 * latentDim, 'linear', init);
    tf.tidy(() => this.head.kernel.assign(tf.zerosLike(this.head.kernel)));
  }

  parameters() {
    return this.store.parameters();
  }

  distribution(_n: number, c?: Condition): DiagonalGaussian {
    if (!c) throw new ConfigError('model.prior: prior/conditional-gaussian needs a condition (set model.condition)');
    return DiagonalGaussian.fromParams(this.head.apply(this.body.apply(c)));
  }

  logProb(z: tf.Tensor, c?: Condition): tf.Tensor {
    return tf.tidy(() => this.distribution(0, c).logProb(z));
  }

  sample(_n: number, seed: number, c?: Condition): tf.Tensor2D {
    return tf.tidy(() => this.distribution(0, c).rsample(seed));
  }
}

export const conditionalGaussianPrior = defineComponent({
  kind: 'prior',
  name: 'conditional-gaussian',
  summary: 'Learned p(z|c) = N(μ(c), σ²(c)) from a small network over the condition',
  options: z
    .object({
      hidden: opt.widths().default([64]).describe('hidden widths of the prior network'),
      activation: activationOption().default('relu').describe('activation of the hidden layers'),
    })
    .strict(),
  create: (o, ctx) => {
    const s = ctx.shape!;
    if (s.conditionDim === 0) throw new ConfigError('model.prior: prior/conditional-gaussian needs model.condition (e.g. { name: onehot })');
    return new ConditionalGaussianPrior(ctx.params, s.conditionDim, s.latentDim, o.hidden, o.activation as Activation, ctx.rng.stream('init/prior'));
  },
});
