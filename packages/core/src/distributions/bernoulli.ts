import * as tf from '@tensorflow/tfjs-core';

/**
 * Independent Bernoulli variables on logits ℓ (p = sigmoid(ℓ)).
 *
 * log p(x) = x·ℓ − softplus(ℓ), which equals x·log p + (1−x)·log(1−p) without ever forming
 * log(sigmoid(ℓ)) — stable for large |ℓ|. Also valid for x in [0, 1] (the "continuous Bernoulli"
 * cross-entropy used by the seed material's Keras model, without its normaliser).
 */
export class Bernoulli {
  constructor(readonly logits: tf.Tensor) {}

  /** Per-example log-probability, summed over the last axis. */
  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.sum(tf.sub(tf.mul(x, this.logits), tf.softplus(this.logits)), -1));
  }

  /** E[x] = sigmoid(ℓ). */
  mean(): tf.Tensor {
    return tf.sigmoid(this.logits);
  }

  sample(seed: number): tf.Tensor {
    return tf.tidy(() => tf.cast(tf.less(tf.randomUniform(this.logits.shape, 0, 1, 'float32', seed), tf.sigmoid(this.logits)), 'float32'));
  }
}
