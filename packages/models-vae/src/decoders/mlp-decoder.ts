import * as tf from '@tensorflow/tfjs-core';
import { defineComponent, type Condition, type Decoder, type DecoderOutput, type ParameterStore, type RandomStream } from '@elbo/core';
import { type Activation, DenseLayer, Mlp, splitParams } from '@elbo/compute';
import { mlpOptions } from '../encoders/mlp-encoder.js';

/**
 * The network of p(x|z): z (and c, concatenated, when conditional) → hidden layers → a linear
 * layer producing, for every data value, each parameter the likelihood reads (logits; mean and
 * log-scale…). Hidden sizes are listed from z outwards, e.g. [400] or [300, 300].
 */
export class MlpDecoder implements Decoder {
  private readonly body: Mlp;
  private readonly head: DenseLayer;

  constructor(
    private readonly store: ParameterStore,
    latentDim: number,
    readonly dataDim: number,
    readonly paramNames: readonly string[],
    hidden: readonly number[],
    activation: Activation,
    init: RandomStream,
  ) {
    this.body = new Mlp(store, latentDim, hidden, activation, init);
    this.head = new DenseLayer(store, 'head', hidden.length ? this.body.outDim : latentDim, dataDim * paramNames.length, 'linear', init);
  }

  parameters() {
    return this.store.parameters();
  }

  decode(z: tf.Tensor2D, c?: Condition): DecoderOutput {
    const input = c ? tf.concat([z, c], 1) : z;
    return splitParams(this.head.apply(this.body.apply(input)), this.paramNames);
  }
}

export const mlpDecoder = defineComponent({
  kind: 'decoder',
  name: 'mlp',
  summary: 'Fully connected decoder: z → hidden layers → the likelihood parameters of every data value',
  options: mlpOptions,
  create: (o, ctx) => {
    const s = ctx.shape!;
    return new MlpDecoder(ctx.params, s.latentDim + s.conditionDim, s.dataDim, s.likelihoodParams, o.hidden, o.activation, ctx.rng.stream('init/decoder'));
  },
});
