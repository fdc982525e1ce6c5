import * as tf from '@tensorflow/tfjs-core';
import { randomNormal, randomUniform } from '@elbo/compute';
import { z } from 'zod';
import { opt, type BatchTransform } from '@elbo/core';

/**
 * `data.corrupt`: the denoising VAE's corruption process (Im et al. 2017). In training the encoder
 * sees a corrupted copy of each batch while the objective reconstructs the clean batch; evaluation,
 * scoring and `elbo denoise` read inputs as given.
 * - `gaussian`: x̃ = x + σ·ε, ε ~ N(0, 1) per value, clipped to [0, 1] unless `clip: false`;
 * - `salt-and-pepper`: each value, with probability `fraction`, replaced by 0 or 1 (equally likely).
 *
 * `target: corrupted` instead trains on the corrupted batch itself, input and target: the background
 * model of a likelihood-ratio anomaly score (Ren et al. 2019), trained on perturbed data.
 */
const corruptTarget = () =>
  opt
    .oneOf(['clean', 'corrupted'])
    .default('clean')
    .describe('clean: reconstruct the clean batch (denoising); corrupted: train on the corrupted batch itself (a background model)');

export const corruptOption = () =>
  z
    .discriminatedUnion('name', [
      z.object({ name: z.literal('gaussian'), sigma: opt.positive().default(0.3), clip: opt.boolean().default(true), target: corruptTarget() }).strict(),
      z.object({ name: z.literal('salt-and-pepper'), fraction: opt.range(0, 1).default(0.2), target: corruptTarget() }).strict(),
    ])
    .optional()
    .describe(
      'denoising training: corrupt the encoder input of training batches, reconstruct the clean batch: { name: gaussian, sigma, clip } | { name: salt-and-pepper, fraction }; target: corrupted trains on the corrupted batch (a background model)',
    );
export type CorruptOptions = z.output<ReturnType<typeof corruptOption>>;

/** Gaussian corruption on the backend, seeded by core's `corrupt` stream. Never disposes `x`. */
export class GaussianCorruption implements BatchTransform {
  readonly name: string;
  constructor(
    readonly sigma: number,
    readonly clip = true,
  ) {
    this.name = `corrupt/gaussian(σ=${sigma}${clip ? ', clipped' : ''})`;
  }

  apply(x: tf.Tensor2D, seed: number): tf.Tensor2D {
    return tf.tidy(() => {
      const y = tf.add<tf.Tensor2D>(x, randomNormal(x.shape, 0, this.sigma, seed));
      return this.clip ? tf.clipByValue(y, 0, 1) : y;
    });
  }
}

/** Salt-and-pepper corruption on the backend: a hit (u < fraction) becomes 1 when v < ½, else 0. */
export class SaltAndPepperCorruption implements BatchTransform {
  readonly name: string;
  constructor(readonly fraction: number) {
    this.name = `corrupt/salt-and-pepper(${fraction})`;
  }

  apply(x: tf.Tensor2D, seed: number): tf.Tensor2D {
    return tf.tidy(() => {
      const hit = tf.less(randomUniform(x.shape, 0, 1, seed), this.fraction);
      const salt = tf.cast(tf.less(randomUniform(x.shape, 0, 1, seed + 1), 0.5), 'float32');
      return tf.where(hit, salt, x) as tf.Tensor2D;
    });
  }
}

/** The transform for validated `data.corrupt` options (undefined when absent). */
export function corruptionOf(o: CorruptOptions): BatchTransform | undefined {
  if (!o) return undefined;
  return o.name === 'gaussian' ? new GaussianCorruption(o.sigma, o.clip) : new SaltAndPepperCorruption(o.fraction);
}

/** `second` applied to the output of `first` (e.g. dynamic binarisation, then corruption), each with its own seed. */
export class ThenTransform implements BatchTransform {
  readonly name: string;
  constructor(
    readonly first: BatchTransform | undefined,
    readonly second: BatchTransform,
  ) {
    this.name = first ? `${first.name} then ${second.name}` : second.name;
  }

  apply(x: tf.Tensor2D, seed: number): tf.Tensor2D {
    return tf.tidy(() => this.second.apply(this.first ? this.first.apply(x, seed) : x, seed + 2));
  }
}
