/**
 * The plain VAE's prior, likelihood and KL, built from core's distributions for this package's
 * specs: the same math as models-vae's `prior/standard-normal`, `likelihood/bernoulli` and
 * `divergence/kl`, without importing another plugin.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Bernoulli, DiagonalGaussian, NO_PARAMETERS, type Condition, type DecoderOutput, type Divergence, type DivergenceTerms, type Likelihood, type Prior } from '@elbo/core';

/** p(z) = N(0, I). */
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
    return tf.tidy(() => DiagonalGaussian.standard(1, this.latentDim).logProb(z));
  }

  sample(n: number, seed: number, c?: Condition): tf.Tensor2D {
    return tf.tidy(() => this.distribution(n, c).rsample(seed));
  }
}

/** p(x|z) = Π_d Bernoulli(x_d; sigmoid(ℓ_d)) on the decoder's logits. */
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

/** β·KL(q(z|x) ‖ p(z)) in closed form, averaged over the batch. */
export class AnalyticKl implements Divergence {
  readonly perExample = true;

  constructor(readonly beta: number) {}

  parameters() {
    return NO_PARAMETERS;
  }

  terms(q: DiagonalGaussian, p: DiagonalGaussian | undefined): DivergenceTerms {
    if (!p) throw new Error('AnalyticKl needs a Gaussian prior');
    const kl = tf.mean(q.kl(p)) as tf.Scalar;
    return { total: this.beta === 1 ? kl : (tf.mul(kl, this.beta) as tf.Scalar), parts: { kl } };
  }
}
