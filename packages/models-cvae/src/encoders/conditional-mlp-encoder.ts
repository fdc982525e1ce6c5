import * as tf from '@tensorflow/tfjs-core';
import { DiagonalGaussian, defineComponent, type Condition, type Encoder, type ParameterStore } from '@elbo/core';
import { ConditionalMlp, conditionalMlpOptions, requireCondition } from './conditional-mlp.js';

/** q(z | x, c) from an MLP over [x, c] (c injected at every layer by default). */
export class ConditionalMlpEncoder implements Encoder {
  constructor(
    private readonly store: ParameterStore,
    private readonly net: ConditionalMlp,
  ) {}

  parameters() {
    return this.store.parameters();
  }

  encode(x: tf.Tensor2D, c?: Condition): DiagonalGaussian {
    return DiagonalGaussian.fromParams(this.net.apply(x, c, 'encoder/conditional-mlp'));
  }
}

export const conditionalMlpEncoder = defineComponent({
  kind: 'encoder',
  name: 'conditional-mlp',
  summary: 'q(z|x,c): MLP over x with the condition c at the input (or every layer)',
  options: conditionalMlpOptions,
  create: (o, ctx) => {
    const s = ctx.shape!;
    requireCondition(s.conditionDim, 'model.encoder');
    return new ConditionalMlpEncoder(ctx.params, new ConditionalMlp(ctx.params, s.dataDim, s.conditionDim, 2 * s.latentDim, o, ctx.rng.stream('init/encoder')));
  },
});
