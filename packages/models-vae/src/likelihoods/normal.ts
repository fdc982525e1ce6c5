import * as tf from '@tensorflow/tfjs-core';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Independent Gaussians N(μ, σ²) parameterised by log σ (log-scale), for continuous data.
 * `logScale` broadcasts against `mean` (a scalar, a per-pixel tensor, or a full batch).
 */
export class Normal {
  constructor(
    readonly loc: tf.Tensor,
    readonly logScale: tf.Tensor,
  ) {}

  /** Per-example log-density summed over the last axis: Σ −[½((x−μ)/σ)² + log σ + ½ log 2π]. */
  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const z = tf.mul(tf.sub(x, this.loc), tf.exp(tf.neg(this.logScale)));
      const per = tf.add(tf.add(tf.mul(tf.square(z), 0.5), this.logScale), HALF_LOG_2PI);
      return tf.neg(tf.sum(per, -1));
    });
  }

  mean(): tf.Tensor {
    return tf.clone(this.loc);
  }

  sample(seed: number): tf.Tensor {
    return tf.tidy(() => tf.add(this.loc, tf.mul(tf.exp(this.logScale), tf.randomNormal(this.loc.shape, 0, 1, 'float32', seed))));
  }
}
