import * as tf from '@tensorflow/tfjs-core';
import { stepScalar, withContext } from '@elbo/compute';
import { ConfigError } from '../config/config-error.js';
import type { Posterior, PosteriorFamily, PosteriorFeature } from '../distributions/posterior.js';
import type { Condition, ConditionInput, Conditioner, Decoder, Divergence, DivergenceContext, Encoder, Inference, Likelihood, Prior, Schedule } from './interfaces.js';
import { collectParameters } from './parameters.js';
import type { ModelShape } from '../registry/component.js';

export interface ObjectiveOutput {
  /** The minimised loss: −E_q[log p(x|z)] + factor·Divergence, averaged over the batch. */
  readonly loss: tf.Scalar;
  /** Named batch means for logging: `recon`, and the divergence's own parts (`kl`, `tc`…). */
  readonly parts: Readonly<Record<string, tf.Scalar>>;
}

/** `model.objective`, a bound in place of the one-sample ELBO (IWAE), on the tape; `usesDivergence: false`: without model.divergence. */
export interface Objective {
  readonly needs?: PosteriorFeature;
  readonly usesDivergence: boolean;
  loss(model: VaeModel, x: tf.Tensor2D, c: Condition, ctx: DivergenceContext): ObjectiveOutput;
}

/**
 * The sentence every model in the family shares:
 *   loss(x[, c]) = −E_{q(z|x,c)}[log p(x|z,c)] + s(step)·Divergence(q(z|x,c), p(z|c), z, step)
 * with the expectation estimated by one reparameterised sample. The components are the words.
 */
export class VaeModel {
  readonly shape: ModelShape;
  readonly encoder: Inference;
  readonly decoder: Decoder;
  /** Seen by its density alone (`gaussian: false`) when the posterior has no closed-form KL. */
  readonly prior: Prior;

  constructor(
    shape: ModelShape,
    encoder: Encoder,
    decoder: Decoder,
    prior: Prior,
    readonly likelihood: Likelihood,
    readonly divergence: Divergence,
    readonly schedule: Schedule,
    /** Present for conditional models: turns a batch's labels/vectors into c. */
    readonly conditioner?: Conditioner,
    readonly extras: { readonly posterior?: PosteriorFamily; readonly objective?: Objective } = {},
  ) {
    const f = extras.posterior;
    this.shape = f?.latentDim ? { ...shape, latentDim: f.latentDim } : shape;
    this.encoder = f ? { parameters: () => collectParameters(encoder, f), encode: (x, c, t) => f.posterior(encoder.encode(x, c, t), t ?? false) } : encoder;
    this.decoder = f?.decoderInput ? { parameters: () => decoder.parameters(), decode: (z, c, t) => decoder.decode(f.decoderInput!(z), c, t) } : decoder;
    this.prior = f && !f.provides.includes('gaussian') && prior.gaussian ? (Object.create(prior, { gaussian: { value: false } }) as Prior) : prior;
    this.gaussianPrior = prior.gaussian; // p for the divergence even when q has no closed-form KL (a flow's base has)
  }

  private readonly gaussianPrior: boolean;

  /** Refuses a divergence or objective that needs of the posterior what it does not offer, naming both parts (config names). */
  checkParts(names: { divergence: string; posterior?: string; objective?: string }): void {
    const offers = this.extras.posterior?.provides ?? ['gaussian', 'density'];
    const parts: [string, string | undefined, PosteriorFeature | undefined][] = [['objective', names.objective, this.extras.objective?.needs]];
    if (this.extras.objective?.usesDivergence !== false) parts.push(['divergence', names.divergence, this.divergence.needs ?? 'gaussian']);
    for (const [kind, name, need] of parts)
      if (need && !offers.includes(need))
        throw new ConfigError(`model.${kind}: "${name}" needs a posterior with '${need}'; model.posterior "${names.posterior}" offers '${offers.join("', '")}'`);
  }

  /** c for a batch of raw conditions (undefined for unconditional models). Call inside a tidy. */
  condition(input: ConditionInput | undefined): Condition {
    if (!this.conditioner) return undefined;
    if (!input) throw new Error('a conditional model needs a condition for every example');
    return this.conditioner.encode(input);
  }

  /** Everything the model optimiser updates (the divergence's own networks included only if it says so). */
  parameters(): Map<string, tf.Variable> {
    const owners = [this.encoder, this.decoder, this.prior, this.likelihood, this.divergence];
    return collectParameters(...(this.conditioner ? [...owners, this.conditioner] : owners));
  }

  /** Must be called inside tf.tidy or a gradient function (c is built here, on the tape). */
  objective(x: tf.Tensor2D, cond: ConditionInput | undefined, ctx: Omit<DivergenceContext, 'condition'>): ObjectiveOutput {
    const c = this.condition(cond);
    if (this.extras.objective) return this.extras.objective.loss(this, x, c, withContext(ctx, { condition: c }));
    const q = this.encoder.encode(x, c, true);
    const z = q.rsample(ctx.seed, ctx.rows);
    const out = this.decoder.decode(z, c, true);
    const recon = tf.neg(tf.mean(this.likelihood.logProb(x, out))) as tf.Scalar;
    const p = this.gaussianPrior ? this.prior.distribution(x.shape[0], c) : undefined;
    const div = this.divergence.terms(q, p, z, this.prior, withContext(ctx, { condition: c }));
    const factor = this.schedule.constant ? undefined : stepScalar(ctx, (step) => this.schedule.factor(step));
    const loss = tf.add(recon, factor ? tf.mul(div.total, factor) : div.total) as tf.Scalar;
    return { loss, parts: { recon, ...div.parts } };
  }

  encode(x: tf.Tensor2D, c?: Condition): Posterior {
    return this.encoder.encode(x, c, false);
  }

  /** E[x | z]: the likelihood's mean of the decoded z. */
  decodeMean(z: tf.Tensor2D, c?: Condition): tf.Tensor2D {
    return tf.tidy(() => this.likelihood.mean(this.decoder.decode(z, c, false)));
  }

  /** Reconstruction through the posterior mean (deterministic). */
  reconstruct(x: tf.Tensor2D, c?: Condition): tf.Tensor2D {
    return tf.tidy(() => this.decodeMean(this.encoder.encode(x, c, false).mean, c));
  }

  /** Mean images of n draws from the prior. */
  sample(n: number, seed: number, c?: Condition): tf.Tensor2D {
    return tf.tidy(() => this.decodeMean(this.prior.sample(n, seed, c), c));
  }

  dispose(): void {
    for (const v of this.parameters().values()) v.dispose();
    this.divergence.dispose?.();
  }
}
