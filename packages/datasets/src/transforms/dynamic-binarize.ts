import * as tf from '@tensorflow/tfjs-core';
import { randomUniform } from '@elbo/compute';
import type { BatchTransform } from '@elbo/core';

/**
 * Dynamic binarisation on the backend: each training batch is re-sampled as `x' = 1[u < x]` with
 * u ~ U[0,1) from `randomUniform(shape, 0, 1, seed)`, so every epoch sees a fresh
 * Bernoulli(x) draw of each image (the regularising scheme of Burda et al., 2016, IWAE). The seed
 * comes from core's data stream, which makes a run repeatable. Values must lie in [0,1]; 1 stays 1
 * and 0 stays 0. Returns a new float32 tensor and never disposes `x`.
 */
export class DynamicBinarize implements BatchTransform {
  readonly name = 'binarize/dynamic';

  apply(x: tf.Tensor2D, seed: number): tf.Tensor2D {
    return tf.tidy(() => tf.cast(tf.less<tf.Tensor2D>(randomUniform(x.shape, 0, 1, seed), x), 'float32'));
  }
}

/** The shared, stateless instance datasets hand to the trainer. */
export const dynamicBinarize: BatchTransform = new DynamicBinarize();
