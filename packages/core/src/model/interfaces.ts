import type * as tf from '@tensorflow/tfjs-core';
import type { DiagonalGaussian } from '../distributions/diagonal-gaussian.js';
import type { HasParameters } from './parameters.js';

/**
 * A condition c for conditional models: a batch of condition vectors (one-hot labels, attributes),
 * shape [batch, conditionDim]. Unconditional models receive `undefined`.
 */
export type Condition = tf.Tensor2D | undefined;

/** Encoder: q(z | x[, c]), the approximate posterior, as a diagonal Gaussian. */
export interface Encoder extends HasParameters {
  /** x: [batch, D] flattened data (the component reshapes it if it needs an image). */
  encode(x: tf.Tensor2D, c?: Condition, training?: boolean): DiagonalGaussian;
}
export const Encoder = Symbol('Encoder');

/**
 * The parameters a Likelihood reads, by the names the likelihood asked for (`logits`; `mean`,
 * `logScale`…), each shaped [batch, D] like the flattened data.
 */
export type DecoderOutput = Readonly<Record<string, tf.Tensor2D>>;

/** Decoder: the network of p(x | z[, c]). */
export interface Decoder extends HasParameters {
  decode(z: tf.Tensor2D, c?: Condition, training?: boolean): DecoderOutput;
}
export const Decoder = Symbol('Decoder');

/** Prior p(z[ | c]). */
export interface Prior extends HasParameters {
  /** The prior as a distribution for a batch of `n` (conditions, when given, set n). */
  distribution(n: number, c?: Condition): DiagonalGaussian;
  /** log p(z[ | c]) per example; z may have leading sample axes. */
  logProb(z: tf.Tensor, c?: Condition): tf.Tensor;
  sample(n: number, seed: number, c?: Condition): tf.Tensor2D;
  /** Whether `distribution()` is exact, so KL(q‖p) can be taken in closed form. */
  readonly gaussian: boolean;
}
export const Prior = Symbol('Prior');

/** Likelihood p(x | decoder output): the reconstruction term of the ELBO. */
export interface Likelihood extends HasParameters {
  /** Decoder outputs this likelihood reads, each [batch, D]. */
  readonly paramNames: readonly string[];
  /** log p(x | params) per example, shape [batch]. */
  logProb(x: tf.Tensor2D, params: DecoderOutput): tf.Tensor1D;
  /** E[x | params], for reconstructions and sample grids. */
  mean(params: DecoderOutput): tf.Tensor2D;
  sample(params: DecoderOutput, seed: number): tf.Tensor2D;
}
export const Likelihood = Symbol('Likelihood');

/** What the trainer tells a divergence about the current step. */
export interface DivergenceContext {
  /** Global optimisation step (0-based), for annealing and capacity schedules. */
  readonly step: number;
  /** Number of examples in the training split (β-TCVAE's N). */
  readonly datasetSize: number;
  /** A seed for any randomness the divergence needs this step. */
  readonly seed: number;
  readonly condition?: Condition;
}

/** Scalar regulariser and its named parts (batch means), for logging. */
export interface DivergenceTerms {
  readonly total: tf.Scalar;
  readonly parts: Readonly<Record<string, tf.Scalar>>;
}

/**
 * The regulariser of the objective: β·KL, capacity, FactorVAE's TC, β-TCVAE's decomposition…
 * `aux` is optional: a divergence that trains its own networks (FactorVAE's discriminator) does it
 * there, called by the trainer after every model update; the trainer knows nothing else of it.
 */
export interface Divergence extends HasParameters {
  terms(q: DiagonalGaussian, p: DiagonalGaussian | undefined, z: tf.Tensor2D, prior: Prior, ctx: DivergenceContext): DivergenceTerms;
  auxiliaryUpdate?(batch: AuxiliaryBatch, ctx: DivergenceContext): Readonly<Record<string, tf.Scalar>> | undefined;
  /** Extra state to keep in checkpoints (e.g. a discriminator's optimizer moments). */
  auxiliaryState?(): ReadonlyMap<string, tf.Tensor>;
  restoreAuxiliaryState?(state: ReadonlyMap<string, tf.Tensor>): void;
}
export const Divergence = Symbol('Divergence');

/** What an auxiliary update may look at: a second batch encoded by the current model. */
export interface AuxiliaryBatch {
  readonly x: tf.Tensor2D;
  readonly encode: (x: tf.Tensor2D) => DiagonalGaussian;
}

/** A schedule multiplies the divergence by a factor that depends on the step (KL warm-up). */
export interface Schedule {
  factor(step: number): number;
}
export const Schedule = Symbol('Schedule');
