import type * as tf from '@tensorflow/tfjs-core';
import type { BatchRows, DiagonalGaussian } from '../distributions/diagonal-gaussian.js';
import type { Posterior, PosteriorFeature } from '../distributions/posterior.js';
import type { HasParameters } from './parameters.js';
import type { DataSplit } from '../data/dataset.js';

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

/** The model's q(z | x[, c]): the encoder, with the posterior family (`model.posterior`) on top when there is one. */
export interface Inference extends HasParameters {
  encode(x: tf.Tensor2D, c?: Condition, training?: boolean): Posterior;
}

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
  /**
   * Set in data-parallel training: this batch is these rows of a larger one. Noise is drawn for
   * the whole batch and sliced, so a split batch sees the noise it would have seen whole.
   */
  readonly rows?: BatchRows;
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
  /**
   * True when `terms` are batch means of per-example quantities, so that the mean over equal
   * parts of a batch equals the whole batch's value: such a divergence can train data-parallel
   * (`train.workers` > 1). Leave unset when the terms couple a batch's examples (β-TCVAE's
   * minibatch estimates, capacity control's |KL − C| of the batch mean, free bits per dimension).
   */
  readonly perExample?: boolean;
  /** What it reads of the posterior (default `gaussian`: μ and log σ²); `density` suffices for a Monte-Carlo KL. */
  readonly needs?: PosteriorFeature;
  terms(q: Posterior, p: DiagonalGaussian | undefined, z: tf.Tensor2D, prior: Prior, ctx: DivergenceContext): DivergenceTerms;
  auxiliaryUpdate?(batch: AuxiliaryBatch, ctx: DivergenceContext): Readonly<Record<string, tf.Scalar>> | undefined;
  /** Extra state to keep in checkpoints (e.g. a discriminator's optimizer moments). */
  auxiliaryState?(): ReadonlyMap<string, tf.Tensor>;
  restoreAuxiliaryState?(state: ReadonlyMap<string, tf.Tensor>): void;
  /** Releases what the divergence owns beyond `parameters()` (a discriminator and its optimizer). */
  dispose?(): void;
}
export const Divergence = Symbol('Divergence');

/** What an auxiliary update may look at: a second batch encoded by the current model. */
export interface AuxiliaryBatch {
  readonly x: tf.Tensor2D;
  readonly encode: (x: tf.Tensor2D) => Posterior;
}

/** The raw condition of a batch, as the data holds it: class labels and/or condition vectors. */
export interface ConditionInput {
  /** One class label per example. */
  readonly labels?: Int32Array;
  /** One condition vector per example, row-major (n × width). */
  readonly vectors?: Float32Array;
}

/**
 * Turns a batch's raw condition into the condition tensor c [batch, dim] that encoder, decoder and
 * prior receive (one-hot labels, a learned label embedding, attribute vectors…). May own trainable
 * variables (an embedding table); `encode` runs inside the gradient tape.
 */
export interface Conditioner extends HasParameters {
  /** Width of c. */
  readonly dim: number;
  /** Number of classes, for label conditions. */
  readonly numClasses?: number;
  /** Reads the raw condition of the examples at `indices` of a split; a ConfigError if the split has none. */
  read(split: DataSplit, indices: ArrayLike<number>): ConditionInput;
  /** c for a batch. */
  encode(input: ConditionInput): tf.Tensor2D;
  /**
   * Parses conditions a user typed (`7`, or `0.2,1,0`) for `n` examples; throws a ConfigError
   * naming the value, the expected range or length, and `source` (e.g. `--condition`).
   */
  parse(values: readonly string[], n: number, source: string): ConditionInput;
  /** Every class as a condition (one per class), for grids; undefined for vector conditions. */
  allClasses?(): ConditionInput;
}
export const Conditioner = Symbol('Conditioner');

/** A schedule multiplies the divergence by a factor that depends on the step (KL warm-up); a `constant` one is 1 and reads no step. */
export interface Schedule {
  factor(step: number): number;
  readonly constant?: boolean;
}
export const Schedule = Symbol('Schedule');
