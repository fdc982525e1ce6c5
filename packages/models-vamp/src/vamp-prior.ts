import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ConfigError, DiagonalGaussian, Encoder, defineComponent, opt, type Condition, type ParameterStore, type Prior } from '@elbo/core';

/**
 * The VampPrior (Tomczak & Welling 2018): p(z) = (1/K) Σ_k q(z | u_k), the mixture of the model's
 * own posterior at K learned pseudo-inputs u_k, which are trained with the model. Pseudo-inputs
 * start at N(0.05, 0.01²) per value and pass through a hard clip to [0, 1] (the paper's hardtanh).
 * Its KL has no closed form: pair it with divergence "mc-kl" or the "iwae" objective.
 */
export class VampPrior implements Prior {
  readonly gaussian = false;
  readonly pseudoInputs: tf.Variable;

  constructor(
    private readonly store: ParameterStore,
    private readonly encoder: Encoder,
    readonly k: number,
    dataDim: number,
    seed: number,
  ) {
    this.pseudoInputs = store.create('pseudo_inputs', tf.randomNormal([k, dataDim], 0.05, 0.01, 'float32', seed));
  }

  parameters() {
    return this.store.parameters();
  }

  /** The K mixture components q(z|u_k), [K, L]. */
  components(): DiagonalGaussian {
    const q = this.encoder.encode(tf.clipByValue(this.pseudoInputs, 0, 1) as tf.Tensor2D, undefined, false);
    if (!(q instanceof DiagonalGaussian)) throw new ConfigError('model.prior: "vamp" mixes the encoder\'s Gaussians, and model.encoder does not give one');
    return q;
  }

  distribution(): DiagonalGaussian {
    throw new Error('the VampPrior is a mixture, not one diagonal Gaussian');
  }

  /**
   * log (1/K) Σ_k N(z; μ_k, σ_k²) per example; z [..., L] gives [...]. The squares are expanded,
   * Σ_d (z_d − μ_kd)²/σ²_kd = z²·(1/σ²_k) − 2 z·(μ_k/σ²_k) + Σ_d μ²_kd/σ²_kd, so that the largest
   * intermediate is [rows, K], not [rows, K, L] (a thousand importance samples of a batch).
   */
  logProb(z: tf.Tensor, _c?: Condition): tf.Tensor {
    return tf.tidy(() => {
      const q = this.components();
      const L = q.dim;
      const flat = tf.reshape(z, [-1, L]) as tf.Tensor2D;
      const invVar = tf.exp(tf.neg(q.logVar)); // [K, L]
      const quad = tf.add(
        tf.sub(tf.matMul(tf.square(flat), invVar, false, true), tf.mul(tf.matMul(flat, tf.mul(q.mean, invVar), false, true), 2)),
        tf.sum(tf.mul(tf.square(q.mean), invVar), 1),
      ); // [rows, K]
      const logN = tf.mul(tf.add(quad, tf.add(tf.sum(q.logVar, 1), L * Math.log(2 * Math.PI))), -0.5);
      return tf.reshape(tf.sub(tf.logSumExp(logN, -1), Math.log(this.k)), z.shape.slice(0, -1));
    });
  }

  /** A component drawn uniformly per example, then z from it. */
  sample(n: number, seed: number, c?: Condition): tf.Tensor2D {
    return tf.tidy(() => {
      const rows = c ? c.shape[0] : n;
      const pick = tf.randomUniform([rows], 0, this.k, 'int32', seed) as tf.Tensor1D;
      const all = this.components();
      return new DiagonalGaussian(tf.gather(all.mean, pick), tf.gather(all.logVar, pick)).rsample((seed + 1) | 0 || 1);
    });
  }
}

export const vampPrior = defineComponent({
  kind: 'prior',
  name: 'vamp',
  summary: 'VampPrior (Tomczak & Welling 2018): a mixture of the posterior at K learned pseudo-inputs',
  options: z.object({ pseudoInputs: opt.positiveInt().default(500).describe('number K of learned pseudo-inputs (mixture components)') }).strict(),
  create: async (o, ctx) => {
    const s = ctx.shape!;
    if (s.conditionDim > 0) throw new ConfigError('model.prior: "vamp" is for unconditional models (its pseudo-inputs carry no condition)');
    const encoder = await ctx.container.getAsync<Encoder>(Encoder);
    return new VampPrior(ctx.params, encoder, o.pseudoInputs, s.dataDim, ctx.rng.stream('init/prior').nextSeed());
  },
});
