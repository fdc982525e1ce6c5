import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ConfigError, defineNetwork, opt, type BatchRows, type DiagonalGaussian, type ParameterStore, type Posterior, type PosteriorFamily } from '@elbo/core';

/** The identity forward, zero gradient backward (sg[·] in van den Oord et al. 2017). */
export const stopGradient = tf.customGrad(((x: tf.Tensor) => ({ value: tf.mul(x, 1), gradFunc: (dy: tf.Tensor) => [tf.zerosLike(dy)] })) as Parameters<
  typeof tf.customGrad
>[0]) as <T extends tf.Tensor>(x: T) => T;

export const vqOptions = z
  .object({
    codes: opt.positiveInt().default(64).describe('codebook size K'),
    dim: opt.positiveInt().default(4).describe('width of one code vector; model.latent is split into model.latent / dim groups, each quantised'),
    ema: opt.nonNegative().default(0).describe('decay of the exponential-moving-average codebook updates (e.g. 0.99); 0: the codebook learns by its gradient'),
  })
  .strict()
  .refine((o) => o.ema < 1, { error: 'ema: expected a decay in [0, 1)', path: ['ema'] });
type VqOptions = z.output<typeof vqOptions>;

/**
 * The codebook of a VQ-VAE (van den Oord et al. 2017): K vectors e_k of width `dim`. The encoder's
 * output z_e (its Gaussian's mean) is cut into G = L / dim groups, and each group is replaced by its
 * nearest code. With `ema` > 0 the codebook follows exponential moving averages of the encoder
 * outputs assigned to each code (their appendix A.1) instead of its gradient.
 */
export class VqFamily implements PosteriorFamily {
  readonly provides = ['codebook'] as const;
  readonly codebook: tf.Variable;
  readonly groups: number;
  /** EMA state: assignments per code and the sum of the outputs assigned to it (with `ema` > 0). */
  readonly ema?: { readonly clusterSize: tf.Variable; readonly embedSum: tf.Variable; readonly decay: number };

  constructor(
    private readonly store: ParameterStore,
    latentDim: number,
    readonly o: VqOptions,
    seed: number,
  ) {
    if (latentDim % o.dim !== 0) throw new ConfigError(`model.posterior.dim: ${o.dim} does not divide model.latent (${latentDim}) into groups`);
    this.groups = latentDim / o.dim;
    const K = o.codes;
    this.codebook = store.create('codebook', tf.randomUniform([K, o.dim], -1 / K, 1 / K, 'float32', seed));
    if (o.ema > 0)
      this.ema = {
        clusterSize: tf.variable(tf.ones([K]), false),
        embedSum: tf.variable(this.codebook.clone(), false),
        decay: o.ema,
      };
  }

  parameters() {
    return this.store.parameters();
  }

  dispose(): void {
    if (this.ema) tf.dispose([this.ema.clusterSize, this.ema.embedSum]);
  }

  /** The index of the nearest code of every group, [n, G] int32, for z [n, L]. */
  nearest(z: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const flat = tf.reshape(z, [-1, this.o.dim]) as tf.Tensor2D;
      const c = this.codebook as tf.Tensor2D;
      const dist = tf.add(tf.sub(tf.sum(tf.square(flat), 1, true), tf.mul(tf.matMul(flat, c, false, true), 2)), tf.sum(tf.square(c), 1));
      return tf.reshape(tf.argMin(dist, 1), [z.shape[0], this.groups]) as tf.Tensor2D;
    });
  }

  /** The codes' vectors, [n, L], for indices [n, G]: one-hot rows times the codebook, so that the gradient reaches the codebook (and not the integer indices). */
  lookup(codes: tf.Tensor2D): tf.Tensor2D {
    const onehot = tf.cast(tf.oneHot(tf.reshape(codes, [-1]) as tf.Tensor1D, this.o.codes), 'float32') as tf.Tensor2D;
    return tf.reshape(tf.matMul(onehot, this.codebook as tf.Tensor2D), [codes.shape[0], this.groups * this.o.dim]) as tf.Tensor2D;
  }

  posterior(base: DiagonalGaussian): Posterior {
    return new VqPosterior(this, base.mean);
  }
}

/**
 * q(z|x) of a VQ-VAE: one-hot on the nearest codes, so z is deterministic and log q(z|x) = 0 for
 * the code the posterior picks. Samples are z_q with straight-through gradients,
 * z = z_e + sg[z_q − z_e]: the decoder's gradient passes to the encoder unchanged.
 */
export class VqPosterior implements Posterior {
  readonly codes: tf.Tensor2D;
  readonly zQ: tf.Tensor2D;

  constructor(
    readonly family: VqFamily,
    readonly zE: tf.Tensor2D,
  ) {
    this.codes = family.nearest(zE);
    this.zQ = family.lookup(this.codes);
  }

  get dim(): number {
    return this.zE.shape[1];
  }

  /** The quantised z_q. */
  get mean(): tf.Tensor2D {
    return this.zQ;
  }

  rsample(_seed?: number, _rows?: BatchRows): tf.Tensor2D {
    return tf.add(this.zE, stopGradient(tf.sub(this.zQ, this.zE)));
  }

  rsampleK(k: number): tf.Tensor3D {
    return tf.tile(tf.expandDims(this.rsample(), 0), [k, 1, 1]) as tf.Tensor3D;
  }

  logProb(z: tf.Tensor): tf.Tensor {
    return tf.zeros(z.shape.slice(0, -1));
  }

  klPerDim(): tf.Tensor2D {
    throw new Error('a codebook posterior has no closed-form Gaussian KL');
  }
}

export const vqPosterior = defineNetwork({
  kind: 'posterior',
  name: 'vq',
  summary: 'VQ-VAE codebook (van den Oord et al. 2017): the encoder output quantised to its nearest codes, straight-through gradients',
  options: vqOptions,
  build: (o, s, params, init) => new VqFamily(params, s.latentDim, o, init.nextSeed()),
});
