import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { Bernoulli, NO_PARAMETERS, defineComponent, type DecoderOutput, type Likelihood } from '@elbo/core';

/**
 * p(x|z) = Π_d Bernoulli(x_d; sigmoid(ℓ_d)) on the decoder's logits ℓ, for binary data (binarised
 * MNIST). log p = Σ_d x_d ℓ_d − softplus(ℓ_d): the numerically stable cross-entropy.
 */
export class BernoulliLikelihood implements Likelihood {
  readonly paramNames = ['logits'] as const;

  parameters() {
    return NO_PARAMETERS;
  }

  logProb(x: tf.Tensor2D, p: DecoderOutput): tf.Tensor1D {
    return new Bernoulli(p['logits']!).logProb(x) as tf.Tensor1D;
  }

  mean(p: DecoderOutput): tf.Tensor2D {
    return tf.sigmoid(p['logits']!);
  }

  sample(p: DecoderOutput, seed: number): tf.Tensor2D {
    return new Bernoulli(p['logits']!).sample(seed) as tf.Tensor2D;
  }
}

export const bernoulliLikelihood = defineComponent({
  kind: 'likelihood',
  name: 'bernoulli',
  summary: 'Bernoulli on logits, for binary data',
  options: z.object({}).strict(),
  create: () => new BernoulliLikelihood(),
});
