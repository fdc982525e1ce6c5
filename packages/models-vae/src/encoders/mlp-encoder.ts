import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { DiagonalGaussian, defineComponent, opt, type Condition, type Encoder, type ParameterStore, type RandomStream, activationOption } from '@elbo/core';
import { type Activation, DenseLayer, Mlp } from '@elbo/compute';

export const mlpOptions = z
  .object({
    hidden: opt.widths().default([400]).describe('widths of the hidden layers, from the data (encoder) or the latent (decoder) outwards'),
    activation: activationOption().default('relu').describe('activation of the hidden layers'),
  })
  .strict();

/**
 * q(z|x) = N(μ(x), diag exp(ℓ(x))) from an MLP: x → hidden layers → one linear head of width 2L,
 * split into μ and the log-variance ℓ. A condition c, when present, is concatenated to x.
 */
export class MlpEncoder implements Encoder {
  private readonly body: Mlp;
  private readonly head: DenseLayer;

  constructor(
    private readonly store: ParameterStore,
    inDim: number,
    readonly latentDim: number,
    hidden: readonly number[],
    activation: Activation,
    init: RandomStream,
  ) {
    this.body = new Mlp(store, inDim, hidden, activation, init);
    this.head = new DenseLayer(store, 'head', hidden.length ? this.body.outDim : inDim, 2 * latentDim, 'linear', init);
  }

  parameters() {
    return this.store.parameters();
  }

  encode(x: tf.Tensor2D, c?: Condition): DiagonalGaussian {
    const input = c ? tf.concat([x, c], 1) : x;
    return DiagonalGaussian.fromParams(this.head.apply(this.body.apply(input)));
  }
}

export const mlpEncoder = defineComponent({
  kind: 'encoder',
  name: 'mlp',
  summary: 'Fully connected encoder: x → hidden layers → (μ, log σ²)',
  options: mlpOptions,
  create: (o, ctx) => {
    const s = ctx.shape!;
    return new MlpEncoder(ctx.params, s.dataDim + s.conditionDim, s.latentDim, o.hidden, o.activation, ctx.rng.stream('init/encoder'));
  },
});
