import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { DiagonalGaussian, NO_PARAMETERS, defineComponent, type Condition, type Prior } from '@elbo/core';

/** p(z) = N(0, I). Ignores conditions. */
export class StandardNormalPrior implements Prior {
  readonly gaussian = true;

  constructor(readonly latentDim: number) {}

  parameters() {
    return NO_PARAMETERS;
  }

  distribution(n: number, c?: Condition): DiagonalGaussian {
    return DiagonalGaussian.standard(c ? c.shape[0] : n, this.latentDim);
  }

  logProb(z: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.mul(tf.sum(tf.add(tf.square(z), Math.log(2 * Math.PI)), -1), -0.5));
  }

  sample(n: number, seed: number, c?: Condition): tf.Tensor2D {
    return tf.randomNormal([c ? c.shape[0] : n, this.latentDim], 0, 1, 'float32', seed);
  }
}

export const standardNormalPrior = defineComponent({
  kind: 'prior',
  name: 'standard-normal',
  summary: 'p(z) = N(0, I)',
  options: z.object({}).strict(),
  create: (_o, ctx) => new StandardNormalPrior(ctx.shape!.latentDim),
});
