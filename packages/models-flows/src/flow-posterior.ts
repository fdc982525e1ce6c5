import * as tf from '@tensorflow/tfjs-core';
import type { BatchRows, DiagonalGaussian, ParameterStore, Posterior, PosteriorFamily } from '@elbo/core';

/** One invertible step of a flow: z ↦ f(z) and log |det ∂f/∂z| per row; `context` (per row, not a function of z) may shape f. */
export interface FlowStep {
  forward(z: tf.Tensor2D, context?: tf.Tensor2D): { z: tf.Tensor2D; logDet: tf.Tensor1D };
}

/** Pushes rows through every step, summing the log-determinants. */
export function pushThrough(steps: readonly FlowStep[], z0: tf.Tensor2D, context?: tf.Tensor2D): { z: tf.Tensor2D; logDet: tf.Tensor1D } {
  let z = z0;
  let logDet = tf.zeros([z0.shape[0]]) as tf.Tensor1D;
  for (const s of steps) {
    const out = s.forward(z, context);
    z = out.z;
    logDet = tf.add(logDet, out.logDet);
  }
  return { z, logDet };
}

/**
 * q_T(z|x): the encoder's Gaussian q₀ pushed through T invertible steps, z_T = f_T ∘ … ∘ f_1(z₀),
 * log q_T(z_T) = log q₀(z₀) − Σ_t log |det ∂f_t/∂z_{t−1}| (Rezende & Mohamed 2015, eq. 13). The steps
 * need not have an inverse, so log q is known for the samples this posterior drew (`rsample`,
 * `rsampleK`): `logProb` answers for those and refuses any other z.
 */
export class FlowPosterior implements Posterior {
  private readonly drawn = new WeakMap<tf.Tensor, tf.Tensor>();

  constructor(
    private readonly base: DiagonalGaussian,
    private readonly steps: readonly FlowStep[],
  ) {}

  get dim(): number {
    return this.base.dim;
  }

  /** What amortised steps read besides z: q₀'s (μ, log σ²) of each row, `k` times over. */
  private context(k = 1): tf.Tensor2D {
    const c = tf.concat([this.base.mean, this.base.logVar], 1);
    return k === 1 ? c : (tf.reshape(tf.tile(tf.expandDims(c, 0), [k, 1, 1]), [k * c.shape[0], c.shape[1]]) as tf.Tensor2D);
  }

  /** The flow applied to q₀'s mean (a point summary, not the mean of q_T). */
  get mean(): tf.Tensor2D {
    return pushThrough(this.steps, this.base.mean, this.context()).z;
  }

  rsample(seed: number, rows?: BatchRows): tf.Tensor2D {
    const z0 = this.base.rsample(seed, rows);
    const { z, logDet } = pushThrough(this.steps, z0, this.context());
    this.drawn.set(z, tf.sub(this.base.logProb(z0), logDet));
    return z;
  }

  rsampleK(k: number, seed: number): tf.Tensor3D {
    const z0 = this.base.rsampleK(k, seed);
    const [, b, d] = z0.shape;
    const { z, logDet } = pushThrough(this.steps, tf.reshape(z0, [k * b, d]) as tf.Tensor2D, this.context(k));
    const zk = tf.reshape(z, [k, b, d]) as tf.Tensor3D;
    this.drawn.set(zk, tf.sub(this.base.logProb(z0), tf.reshape(logDet, [k, b])));
    return zk;
  }

  logProb(z: tf.Tensor): tf.Tensor {
    const logQ = this.drawn.get(z);
    if (!logQ) throw new Error('a flow posterior knows log q(z|x) only for the samples it drew (rsample, rsampleK)');
    return logQ;
  }

  klPerDim(): tf.Tensor2D {
    throw new Error('a flow posterior has no closed-form KL (the model uses its density)');
  }
}

/** A posterior family of flow steps over the encoder's Gaussian; the steps' parameters are global (not amortised). */
export class FlowFamily implements PosteriorFamily {
  readonly provides = ['density'] as const;

  constructor(
    private readonly store: ParameterStore,
    readonly steps: readonly FlowStep[],
  ) {}

  parameters() {
    return this.store.parameters();
  }

  posterior(base: DiagonalGaussian): Posterior {
    return new FlowPosterior(base, this.steps);
  }
}
