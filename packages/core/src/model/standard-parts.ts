import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../config/config-error.js';
import { Bernoulli } from '../distributions/bernoulli.js';
import { DiagonalGaussian } from '../distributions/diagonal-gaussian.js';
import type { Condition, DecoderOutput, Divergence, DivergenceTerms, Likelihood, Prior } from './interfaces.js';
import { NO_PARAMETERS } from './parameters.js';

/**
 * The plain VAE's words (Kingma & Welling 2014), which every model package builds on: models-vae
 * contributes them as `prior/standard-normal`, `likelihood/bernoulli` and `divergence/kl`.
 */

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

/**
 * β·KL(q(z|x) ‖ p(z)) in closed form for a Gaussian prior (Kingma & Welling 2014, appendix B),
 * averaged over the batch. β = 1 is the plain VAE; β > 1 is β-VAE (Higgins et al. 2017).
 */
export class AnalyticKl implements Divergence {
  readonly perExample = true;
  constructor(readonly beta: number) {}

  parameters() {
    return NO_PARAMETERS;
  }

  terms(q: DiagonalGaussian, p: DiagonalGaussian | undefined): DivergenceTerms {
    if (!p) throw new ConfigError('model.divergence: "kl" needs a prior with a closed-form Gaussian density; use "mc-kl" for this prior');
    const kl = tf.mean(q.kl(p)) as tf.Scalar;
    return { total: this.beta === 1 ? kl : (tf.mul(kl, this.beta) as tf.Scalar), parts: { kl } };
  }
}
