import type * as tf from '@tensorflow/tfjs-core';
import { defineComponent, type Condition, type Decoder, type DecoderOutput, type ParameterStore } from '@elbo/core';
import { splitParams } from '@elbo/compute';
import { ConditionalMlp, conditionalMlpOptions, requireCondition } from '../encoders/conditional-mlp.js';

/** The network of p(x | z, c): an MLP over [z, c] (c at every layer by default). */
export class ConditionalMlpDecoder implements Decoder {
  constructor(
    private readonly store: ParameterStore,
    private readonly net: ConditionalMlp,
    readonly paramNames: readonly string[],
  ) {}

  parameters() {
    return this.store.parameters();
  }

  decode(z: tf.Tensor2D, c?: Condition): DecoderOutput {
    return splitParams(this.net.apply(z, c, 'decoder/conditional-mlp'), this.paramNames);
  }
}

export const conditionalMlpDecoder = defineComponent({
  kind: 'decoder',
  name: 'conditional-mlp',
  summary: 'p(x|z,c): MLP over z with the condition c at the input (or every layer)',
  options: conditionalMlpOptions,
  create: (o, ctx) => {
    const s = ctx.shape!;
    requireCondition(s.conditionDim, 'model.decoder');
    const net = new ConditionalMlp(ctx.params, s.latentDim, s.conditionDim, s.dataDim * s.likelihoodParams.length, o, ctx.rng.stream('init/decoder'));
    return new ConditionalMlpDecoder(ctx.params, net, s.likelihoodParams);
  },
});
