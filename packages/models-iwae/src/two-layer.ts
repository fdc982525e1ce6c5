import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { Mlp, type Activation } from '@elbo/compute';
import {
  ConfigError,
  DiagonalGaussian,
  PosteriorFamily,
  activationOption,
  defineComponent,
  defineNetwork,
  opt,
  type BatchRows,
  type Condition,
  type ParameterStore,
  type Posterior,
  type Prior,
  type RandomStream,
} from '@elbo/core';

/** A second, independent seed from a step's seed (the upper layer's noise). */
const upperSeed = (seed: number): number => (Math.imul(seed, 0x5bd1e995) ^ 0x2545f491) & 0x7fffffff || 1;

/** Runs a [n, in] → Gaussian network on a tensor with leading axes [..., in], returning log-densities shaped [...]. */
function leading<T extends tf.Tensor>(t: T, width: number, f: (flat: tf.Tensor2D) => tf.Tensor): tf.Tensor {
  const lead = t.shape.slice(0, -1);
  return tf.reshape(f(tf.reshape(t, [-1, width]) as tf.Tensor2D), lead);
}

/** A Gaussian layer z → N(μ(z), diag exp ℓ(z)): an Mlp whose head is 2·out wide. */
class GaussianLayer {
  private readonly net: Mlp;
  constructor(store: ParameterStore, inDim: number, outDim: number, hidden: readonly number[], activation: Activation, init: RandomStream) {
    this.net = new Mlp(store, inDim, hidden, 2 * outDim, activation, init);
  }
  apply(z: tf.Tensor2D): DiagonalGaussian {
    return DiagonalGaussian.fromParams(this.net.apply(z));
  }
}

/**
 * q(z₁, z₂ | x) = q(z₁|x) q(z₂|z₁): the encoder's Gaussian is the bottom layer z₁ (model.latent wide),
 * a network of z₁ gives the Gaussian of the top layer z₂ (`top` wide). z is [z₁, z₂]; log q is exact
 * for any z.
 */
export class TwoLayerPosterior implements Posterior {
  constructor(
    private readonly bottom: DiagonalGaussian,
    private readonly upper: GaussianLayer,
    private readonly top: number,
  ) {}

  get dim(): number {
    return this.bottom.dim + this.top;
  }

  /** [μ₁, μ₂(μ₁)]. */
  get mean(): tf.Tensor2D {
    return tf.concat([this.bottom.mean, this.upper.apply(this.bottom.mean).mean], 1);
  }

  rsample(seed: number, rows?: BatchRows): tf.Tensor2D {
    const z1 = this.bottom.rsample(seed, rows);
    return tf.concat([z1, this.upper.apply(z1).rsample(upperSeed(seed), rows)], 1);
  }

  rsampleK(k: number, seed: number): tf.Tensor3D {
    const z1 = this.bottom.rsampleK(k, seed);
    const [, b, l1] = z1.shape;
    const z2 = this.upper.apply(tf.reshape(z1, [k * b, l1]) as tf.Tensor2D).rsample(upperSeed(seed));
    return tf.concat([z1, tf.reshape(z2, [k, b, this.top])], 2) as tf.Tensor3D;
  }

  logProb(z: tf.Tensor): tf.Tensor {
    const l1 = this.bottom.dim;
    const upper = leading(z, l1 + this.top, (f) => {
      const [z1, z2] = tf.split(f, [l1, this.top], 1) as [tf.Tensor2D, tf.Tensor2D];
      return this.upper.apply(z1).logProb(z2);
    });
    return tf.add(this.bottom.logProb(tf.split(z, [l1, this.top], -1)[0]!), upper);
  }

  klPerDim(): tf.Tensor2D {
    throw new Error('a two-layer posterior has no closed-form KL (the model uses its density)');
  }
}

export const twoLayerOptions = z
  .object({
    top: opt.positiveInt().default(10).describe('width of the top stochastic layer z₂ (z₁ is model.latent wide)'),
    hidden: opt.widths().default([100, 100]).describe('hidden widths of the networks between the layers (q(z₂|z₁) and p(z₁|z₂))'),
    activation: activationOption().default('tanh').describe('activation of those networks'),
  })
  .strict();
type TwoLayerOptions = z.output<typeof twoLayerOptions>;

/** model.posterior "two-layer": q(z₂|z₁) on top of the encoder's q(z₁|x); the decoder reads z₁. */
export class TwoLayerFamily implements PosteriorFamily {
  readonly provides = ['density'] as const;
  readonly latentDim: number;
  private readonly upper: GaussianLayer;

  constructor(
    private readonly store: ParameterStore,
    readonly bottom: number,
    readonly o: TwoLayerOptions,
    init: RandomStream,
  ) {
    this.latentDim = bottom + o.top;
    this.upper = new GaussianLayer(store, bottom, o.top, o.hidden, o.activation, init);
  }

  parameters() {
    return this.store.parameters();
  }

  decoderInput(z: tf.Tensor2D): tf.Tensor2D {
    return tf.slice(z, [0, 0], [-1, this.bottom]);
  }

  posterior(base: DiagonalGaussian): Posterior {
    return new TwoLayerPosterior(base, this.upper, this.o.top);
  }
}

/** p(z₁, z₂) = N(z₂; 0, I) · p(z₁|z₂), the generative half of the two stochastic layers (Burda et al. 2016, §5). */
export class TwoLayerPrior implements Prior {
  readonly gaussian = false;
  private readonly lower: GaussianLayer;

  constructor(
    private readonly store: ParameterStore,
    private readonly bottom: number,
    private readonly top: number,
    o: TwoLayerOptions,
    init: RandomStream,
  ) {
    this.lower = new GaussianLayer(store, top, bottom, o.hidden, o.activation, init);
  }

  parameters() {
    return this.store.parameters();
  }

  distribution(): DiagonalGaussian {
    throw new Error('the two-layer prior is not a diagonal Gaussian');
  }

  logProb(z: tf.Tensor, _c?: Condition): tf.Tensor {
    return tf.tidy(() =>
      leading(z, this.bottom + this.top, (f) => {
        const [z1, z2] = tf.split(f, [this.bottom, this.top], 1) as [tf.Tensor2D, tf.Tensor2D];
        return tf.add(DiagonalGaussian.standard(f.shape[0], this.top).logProb(z2), this.lower.apply(z2).logProb(z1));
      }),
    );
  }

  sample(n: number, seed: number, c?: Condition): tf.Tensor2D {
    return tf.tidy(() => {
      const z2 = tf.randomNormal([c ? c.shape[0] : n, this.top], 0, 1, 'float32', seed) as tf.Tensor2D;
      return tf.concat([this.lower.apply(z2).rsample(upperSeed(seed)), z2], 1);
    });
  }
}

export const twoLayerPosterior = defineNetwork({
  kind: 'posterior',
  name: 'two-layer',
  summary: 'Two stochastic layers (Burda et al. 2016): q(z₁|x) from the encoder, q(z₂|z₁) on top; the decoder reads z₁',
  options: twoLayerOptions,
  build: (o, s, params, init) => new TwoLayerFamily(params, s.latentDim, o, init),
});

export const twoLayerPrior = defineComponent({
  kind: 'prior',
  name: 'two-layer',
  summary: 'p(z₂) = N(0, I), p(z₁|z₂) a Gaussian network: the prior of model.posterior "two-layer"',
  options: z.object({}).strict(),
  create: async (_o, ctx) => {
    const family = await ctx.container.getAsync<PosteriorFamily>(PosteriorFamily, { optional: true });
    if (!(family instanceof TwoLayerFamily))
      throw new ConfigError('model.prior: "two-layer" is the prior of model.posterior "two-layer"; set model.posterior: { name: two-layer }');
    return new TwoLayerPrior(ctx.params, family.bottom, family.o.top, family.o, ctx.rng.stream('init/prior'));
  },
});
