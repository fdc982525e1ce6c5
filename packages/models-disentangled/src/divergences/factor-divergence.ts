import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import {
  ComponentRegistry,
  NO_PARAMETERS,
  defineComponent,
  opt,
  type AuxiliaryBatch,
  type DiagonalGaussian,
  type Divergence,
  type DivergenceContext,
  type DivergenceTerms,
  type Prior,
  type RandomStream,
} from '@elbo/core';
import type { OptimizerFactory } from '@elbo/compute';
import { batchKl } from './batch-kl.js';
import { Discriminator, type DiscriminatorSettings } from './discriminator.js';
import { permuteDims } from './permute-dims.js';

/** The discriminator's optimiser in Kim & Mnih (2018). */
const KIM_MNIH_ADAM = { name: 'adam', lr: 1e-4, beta1: 0.5, beta2: 0.9, epsilon: 1e-8 };

export const factorOptions = z
  .object({
    gamma: opt.nonNegative().default(35).describe('γ: weight of the total-correlation estimate'),
    discriminator: z
      .preprocess(
        // Configs written before the optimiser became a component gave Adam's settings here directly.
        (v) => {
          if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
          const { lr, beta1, beta2, epsilon, ...rest } = v as Record<string, unknown>;
          const legacy = Object.fromEntries(Object.entries({ lr, beta1, beta2, epsilon }).filter(([, x]) => x !== undefined));
          return Object.keys(legacy).length && !('optimizer' in rest) ? { ...rest, optimizer: { ...KIM_MNIH_ADAM, ...legacy } } : rest;
        },
        z
          .object({
            hidden: opt.widths().default([1000, 1000, 1000, 1000, 1000, 1000]).describe('hidden layer widths of the discriminator MLP'),
            leak: opt.range(0, 1).default(0.2).describe('negative slope of its LeakyReLU activations'),
            optimizer: z
              .union([z.string(), z.looseObject({ name: z.string() })])
              .default(KIM_MNIH_ADAM)
              .describe("its own optimiser, a section like the run's `optimizer` (default Adam lr 1e-4, β1 0.5, β2 0.9)"),
          })
          .strict(),
      )
      .prefault({})
      .describe('the discriminator and its own optimiser: { hidden: six 1000s, leak: 0.2, optimizer: { name: adam, lr: 1e-4, beta1: 0.5, beta2: 0.9 } } (Kim & Mnih 2018)'),
  })
  .strict();

/**
 * FactorVAE (Kim & Mnih 2018, the FactorVAE objective and Algorithm 1): KL(q(z|x) ‖ p(z)) + γ·TC,
 * with the total correlation TC = KL(q(z) ‖ Π_d q(z_d)) estimated by the density-ratio trick as
 * mean_i log D(z_i) / (1 − D(z_i)) — the discriminator's logit — at the reparameterised codes the
 * objective decodes, so its gradient reaches the encoder through z. γ defaults to 35, the value
 * issue 5's dSprites benchmark names.
 *
 * The discriminator (by default Kim & Mnih's: 6 hidden layers of 1000 units, LeakyReLU 0.2, its own
 * optimiser — any `optimizer/<name>` component, Adam with lr 1e-4, β1 0.5, β2 0.9 by default) is not among `parameters()`: the model optimiser never updates
 * it. It is trained in `auxiliaryUpdate`, which core's trainer calls after every model update with a
 * second batch of the same size drawn uniformly at random, with replacement, from the training split
 * (independently of the epoch's shuffle, from the run's `data` stream; dynamic binarisation applies)
 * and encoded by the freshly updated encoder. On that batch: codes z' ~ q(z|x') are sampled (as in
 * the paper, not the posterior means), z'_perm = permute_dims(z') permutes every dimension across
 * the batch with a permutation seeded from ctx.seed, and one optimiser step minimises
 * −½ [mean log D(z') + mean log(1 − D(z'_perm))]. The paper's Algorithm 1 takes the "real" codes
 * from the first batch and only the permuted ones from the second; here both come from the second
 * batch, which is what the trainer's hook provides.
 *
 * Parts: `kl` (batch-mean KL, closed form for a Gaussian prior), `tc` (the discriminator's estimate,
 * unclamped); auxiliary parts `disc_loss`, `disc_acc` (accuracy on real vs. permuted codes).
 * `auxiliaryState` holds the discriminator's weights and its optimiser's state for checkpoints.
 */
export class FactorVae implements Divergence {
  readonly discriminator: Discriminator;

  constructor(
    readonly gamma: number,
    latentDim: number,
    settings: DiscriminatorSettings,
    init: RandomStream,
  ) {
    this.discriminator = new Discriminator(latentDim, settings, init);
  }

  /** None: the discriminator is trained only in `auxiliaryUpdate`. */
  parameters() {
    return NO_PARAMETERS;
  }

  terms(q: DiagonalGaussian, p: DiagonalGaussian | undefined, z: tf.Tensor2D, prior: Prior): DivergenceTerms {
    const kl = batchKl(q, p, z, prior);
    const tc = tf.mean(this.discriminator.logits(z)) as tf.Scalar;
    return { total: tf.add(kl, tf.mul(tc, this.gamma)) as tf.Scalar, parts: { kl, tc } };
  }

  auxiliaryUpdate(batch: AuxiliaryBatch, ctx: DivergenceContext): Record<string, tf.Scalar> {
    return tf.tidy(() => {
      const codes = batch.encode(batch.x).rsample(ctx.seed);
      const permuted = permuteDims(codes, ctx.seed);
      const { loss, accuracy } = this.discriminator.train(codes, permuted);
      return { disc_loss: loss, disc_acc: accuracy };
    });
  }

  auxiliaryState(): ReadonlyMap<string, tf.Tensor> {
    return this.discriminator.state();
  }

  restoreAuxiliaryState(state: ReadonlyMap<string, tf.Tensor>): void {
    this.discriminator.restore(state);
  }

  dispose(): void {
    this.discriminator.dispose();
  }
}

export const factorDivergence = defineComponent({
  kind: 'divergence',
  name: 'factor',
  summary: "FactorVAE: KL + γ·TC, TC by a discriminator's density ratio, trained on a second batch (Kim & Mnih 2018)",
  options: factorOptions,
  create: async (o, ctx) => {
    const registry = ComponentRegistry.fromContainer(ctx.container);
    const resolved = registry.resolve('optimizer', o.discriminator.optimizer, 'model.divergence.discriminator.optimizer');
    const optimizer = await registry.create<OptimizerFactory>(resolved, ctx);
    return new FactorVae(o.gamma, ctx.shape!.latentDim, { hidden: o.discriminator.hidden, leak: o.discriminator.leak, optimizer }, ctx.rng.stream('init/divergence/discriminator'));
  },
});
