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
    const [mean, logVar] = tf.split(this.net.apply(x, c, 'encoder/conditional-mlp'), 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    return new DiagonalGaussian(mean, logVar);
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
