import * as tf from '@tensorflow/tfjs-core';
import {
  ConfigError,
  NO_PARAMETERS,
  type BatchRows,
  type DiagonalGaussian,
  type Divergence,
  type DivergenceContext,
  type DivergenceTerms,
  type ParameterStore,
  type Posterior,
  type PosteriorFamily,
  type Prior,
} from '@elbo/core';

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
  private readonly drawn = new WeakMap<tf.Tensor, { logQ: tf.Tensor; z0: tf.Tensor; logDet: tf.Tensor }>();

  constructor(
    readonly base: DiagonalGaussian,
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
    this.drawn.set(z, { logQ: tf.sub(this.base.logProb(z0), logDet), z0, logDet });
    return z;
  }

  rsampleK(k: number, seed: number): tf.Tensor3D {
    const z0 = this.base.rsampleK(k, seed);
    const [, b, d] = z0.shape;
    const { z, logDet } = pushThrough(this.steps, tf.reshape(z0, [k * b, d]) as tf.Tensor2D, this.context(k));
    const zk = tf.reshape(z, [k, b, d]) as tf.Tensor3D;
    const logDetK = tf.reshape(logDet, [k, b]);
    this.drawn.set(zk, { logQ: tf.sub(this.base.logProb(z0), logDetK), z0, logDet: logDetK });
    return zk;
  }

  logProb(z: tf.Tensor): tf.Tensor {
    return this.sample(z).logQ;
  }

  /** For a sample this posterior drew: its base sample z₀, log q(z|x) and Σ log |det| per example. */
  sample(z: tf.Tensor): { logQ: tf.Tensor; z0: tf.Tensor; logDet: tf.Tensor } {
    const drawn = this.drawn.get(z);
    if (!drawn) throw new Error('a flow posterior knows log q(z|x) only for the samples it drew (rsample, rsampleK)');
    return drawn;
  }

  klPerDim(): tf.Tensor2D {
    throw new Error('a flow posterior has no closed-form KL (the model uses its density)');
  }
}

/** A posterior family of flow steps over the encoder's Gaussian; the steps' parameters are global (not amortised). */
export class FlowFamily implements PosteriorFamily {
  readonly provides = ['density', 'flow'] as const;

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

/**
 * β·KL(q_T ‖ p) for a flow posterior, split as KL(q₀ ‖ p) in closed form plus a one-sample
 * correction: KL(q_T ‖ p) = KL(q₀ ‖ p) + E_q₀[log p(z₀) − log p(z_T) − Σ log |det|], since
 * log q_T(z_T) = log q₀(z₀) − Σ log |det|. Unbiased like the Monte-Carlo KL; the correction is zero
 * sample by sample while the flow is the identity, so a flow that starts there starts with the plain
 * VAE's analytic KL and its variance, not the Monte-Carlo KL's. Needs a Gaussian prior (its closed form).
 */
export class FlowKl implements Divergence {
  readonly perExample = true;
  readonly needs = 'flow';
  constructor(readonly beta: number) {}

  parameters() {
    return NO_PARAMETERS;
  }

  terms(q: Posterior, p: DiagonalGaussian | undefined, z: tf.Tensor2D, prior: Prior, ctx: DivergenceContext): DivergenceTerms {
    if (!(q instanceof FlowPosterior)) throw new ConfigError('model.divergence: "flow-kl" needs a flow posterior (model.posterior: planar or iaf)');
    if (!p) throw new ConfigError('model.divergence: "flow-kl" needs a Gaussian prior (its KL to the flow’s base in closed form); model.prior has none — use mc-kl');
    const { z0, logDet } = q.sample(z);
    const closed = tf.sum(q.base.klPerDim(p), 1);
    const correction = tf.sub(tf.sub(prior.logProb(z0, ctx.condition), prior.logProb(z, ctx.condition)), logDet);
    const kl = tf.mean(tf.add(closed, correction)) as tf.Scalar;
    return { total: this.beta === 1 ? kl : (tf.mul(kl, this.beta) as tf.Scalar), parts: { kl } };
  }
}
