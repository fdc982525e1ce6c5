import * as tf from '@tensorflow/tfjs-core';
import type { DiagonalGaussian, Prior } from '@elbo/core';

/**
 * The batch mean of KL(q(z|x) ‖ p(z)): in closed form when the prior is Gaussian (`p` given; Kingma
 * & Welling 2014, appendix B), otherwise by the one-sample Monte-Carlo estimate log q(z|x) − log p(z)
 * at the reparameterised z the objective decodes. Must be called inside a tf.tidy.
 */
export function batchKl(q: DiagonalGaussian, p: DiagonalGaussian | undefined, z: tf.Tensor2D, prior: Prior): tf.Scalar {
  if (p) return tf.mean(q.kl(p)) as tf.Scalar;
  return tf.mean(tf.sub(q.logProb(z), prior.logProb(z))) as tf.Scalar;
}
