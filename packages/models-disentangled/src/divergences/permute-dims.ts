import * as tf from '@tensorflow/tfjs-core';
import { seededTensor } from '@elbo/compute';
import { RandomStream } from '@elbo/core';

/**
 * Kim & Mnih's (2018, Algorithm 2) `permute_dims`: every latent dimension permuted independently
 * across the batch, which turns codes from q(z) into samples of Π_d q(z_d). The B·D permutation is
 * drawn on the host from `seed` (a seeded stream, never Math.random) and applied with one gather.
 */
export function permuteDims(z: tf.Tensor2D, seed: number): tf.Tensor2D {
  const [B, D] = z.shape;
  // Made through seededTensor, so a compiled step can draw the next step's permutation without this code.
  const indices = (s: number | undefined) => {
    const stream = new RandomStream('factor-vae/permute-dims', s!);
    const idx = new Int32Array(B * D);
    for (let d = 0; d < D; d++) {
      const p = stream.permutation(B);
      for (let i = 0; i < B; i++) idx[i * D + d] = p[i]! * D + d;
    }
    return tf.tensor1d(idx, 'int32');
  };
  return tf.tidy(() => tf.reshape(tf.gather(tf.reshape(z, [B * D]), seededTensor(seed, indices)), [B, D]) as tf.Tensor2D);
}
