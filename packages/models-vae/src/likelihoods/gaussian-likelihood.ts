import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { NO_PARAMETERS, defineComponent, opt, type DecoderOutput, type Likelihood, type ParameterStore } from '@elbo/core';
import { Normal } from './normal.js';

export const gaussianOptions = z
  .object({
    /**
     * `fixed`: σ = `scale` for every value (the reconstruction term is then a scaled squared error);
     * `learned`: one σ shared by all values, trained with the model (Rybkin et al. 2021, "σ-VAE");
     * `per-value`: the decoder outputs a log-scale for every value.
     */
    sigma: opt.oneOf(['fixed', 'learned', 'per-value']).default('fixed').describe('fixed σ, one learned σ shared by all values, or a σ per value from the decoder'),
    /** σ for `fixed`, the initial σ for `learned`. */
    scale: opt.positive().default(0.1).describe('σ when fixed; the initial σ when learned'),
    /** Lower bound on σ for the learned variants, so the density cannot collapse onto the data. */
    minScale: opt.positive().default(1e-3).describe('lower bound on a learned σ'),
  })
  .strict();

type GaussianOptions = z.output<typeof gaussianOptions>;

/** p(x|z) = Π_d N(x_d; μ_d, σ_d²), for continuous data; the decoder's `mean` is μ. */
export class GaussianLikelihood implements Likelihood {
  readonly paramNames: readonly string[];
  private readonly logScale?: tf.Variable;
  private readonly logMin: number;

  constructor(
    private readonly o: GaussianOptions,
    private readonly store: ParameterStore,
  ) {
    this.paramNames = o.sigma === 'per-value' ? ['mean', 'logScale'] : ['mean'];
    if (o.sigma === 'learned') this.logScale = store.create('log_scale', tf.scalar(Math.log(o.scale)));
    this.logMin = Math.log(o.minScale);
  }

  parameters() {
    return this.logScale ? this.store.parameters() : NO_PARAMETERS;
  }

  private dist(p: DecoderOutput): Normal {
    const mean = p['mean']!;
    if (this.o.sigma === 'fixed') return new Normal(mean, tf.scalar(Math.log(this.o.scale)));
    const raw = this.o.sigma === 'learned' ? this.logScale! : p['logScale']!;
    // Smooth lower bound: logMin + softplus(raw − logMin) ≥ logMin, ≈ raw when raw ≫ logMin.
    return new Normal(mean, tf.add(this.logMin, tf.softplus(tf.sub(raw, this.logMin))));
  }

  logProb(x: tf.Tensor2D, p: DecoderOutput): tf.Tensor1D {
    return tf.tidy(() => this.dist(p).logProb(x) as tf.Tensor1D);
  }

  mean(p: DecoderOutput): tf.Tensor2D {
    return tf.clone(p['mean']!);
  }

  sample(p: DecoderOutput, seed: number): tf.Tensor2D {
    return tf.tidy(() => this.dist(p).sample(seed) as tf.Tensor2D);
  }
}

export const gaussianLikelihood = defineComponent({
  kind: 'likelihood',
  name: 'gaussian',
  summary: 'Gaussian with fixed, learned (shared) or per-value σ, for continuous data',
  options: gaussianOptions,
  create: (o, ctx) => new GaussianLikelihood(o, ctx.params),
});
