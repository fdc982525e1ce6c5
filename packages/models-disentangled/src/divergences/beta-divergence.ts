import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { stepScalar } from '@elbo/compute';
import { NO_PARAMETERS, defineComponent, opt, type DiagonalGaussian, type Divergence, type DivergenceContext, type DivergenceTerms, type Prior } from '@elbo/core';
import { batchKl } from './batch-kl.js';

/** β when none is given and capacity control is off: the value of issue 5's dSprites benchmark. */
export const DEFAULT_BETA = 4;

const capacityOptions = z
  .object({
    max: opt.nonNegative().default(25).describe('C_max: the KL target in nats reached after `steps` steps'),
    steps: opt.positiveInt().default(100_000).describe('optimisation steps (not epochs) over which C rises linearly from 0 to C_max'),
    gamma: opt.nonNegative().default(1000).describe('γ: weight of |KL − C|'),
  })
  .strict();

/** Capacity control settings (Burgess et al. 2018): γ·|KL − C(step)|. */
export type CapacitySettings = z.output<typeof capacityOptions>;

/** What `divergence/beta` runs with: β·KL, or capacity control (then β does not apply). */
export type BetaSettings = { readonly beta: number; readonly capacity: null } | { readonly capacity: CapacitySettings };

export const betaOptions = z
  .object({
    beta: opt.nonNegative().optional().describe(`β in β·KL (${DEFAULT_BETA} when omitted); not allowed with capacity`),
    capacity: capacityOptions
      .nullable()
      .default(null)
      .describe('capacity control γ·|KL − C| in place of β·KL: { max: 25 nats, steps: 100000, gamma: 1000 } ({} takes these; null: off)'),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.capacity !== null && o.beta !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['beta'],
        input: o.beta,
        message: 'β does not apply with capacity control (the objective is γ·|KL − C|): remove beta, or set capacity: null',
      });
    }
  })
  // The resolved config lists what the run uses: β for β·KL, the capacity settings otherwise.
  .transform((o): BetaSettings => (o.capacity === null ? { beta: o.beta ?? DEFAULT_BETA, capacity: null } : { capacity: o.capacity }));

/**
 * C at optimisation step `step` (0-based, the trainer's global step): C_max · min(1, step / steps).
 * Annealed per step, so the schedule does not depend on the batch size or the epoch length.
 */
export function capacityAt(capacity: Pick<CapacitySettings, 'max' | 'steps'>, step: number): number {
  return step >= capacity.steps ? capacity.max : (capacity.max * step) / capacity.steps;
}

/**
 * β-VAE. Without capacity: β·KL(q(z|x) ‖ p(z)) (Higgins et al. 2017, eq. 4). With capacity: the
 * controlled-capacity objective of Burgess et al. (2018, "Understanding disentangling in β-VAE"),
 * γ·|KL(q(z|x) ‖ p(z)) − C|, with C
 * increased linearly from 0 to C_max over `steps` optimisation steps and held there.
 *
 * KL is the batch mean of the closed form for a Gaussian prior (a one-sample Monte-Carlo estimate
 * at the decoded z otherwise). Parts: `kl` (the batch-mean KL, unweighted) and, with capacity,
 * `capacity` (the current C in nats).
 */
export class BetaVae implements Divergence {
  /** β·KL is a mean of per-example terms; capacity control's |KL − C| of the batch mean is not. */
  readonly perExample: boolean;
  constructor(readonly settings: BetaSettings) {
    this.perExample = settings.capacity === null;
  }

  parameters() {
    return NO_PARAMETERS;
  }

  terms(q: DiagonalGaussian, p: DiagonalGaussian | undefined, z: tf.Tensor2D, prior: Prior, ctx: DivergenceContext): DivergenceTerms {
    const kl = batchKl(q, p, z, prior);
    const s = this.settings;
    if (s.capacity === null) {
      return { total: s.beta === 1 ? kl : (tf.mul(kl, s.beta) as tf.Scalar), parts: { kl } };
    }
    const capacity = stepScalar(ctx, (step) => capacityAt(s.capacity!, step));
    const total = tf.mul(tf.abs(tf.sub(kl, capacity)), s.capacity.gamma) as tf.Scalar;
    return { total, parts: { kl, capacity } };
  }
}

export const betaDivergence = defineComponent({
  kind: 'divergence',
  name: 'beta',
  summary: 'β-VAE: β·KL (Higgins et al. 2017), or γ·|KL − C| with C raised linearly per step (Burgess et al. 2018)',
  options: betaOptions,
  create: (o) => new BetaVae(o),
});
