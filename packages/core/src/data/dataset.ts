import type * as tf from '@tensorflow/tfjs-core';

export type SplitName = 'train' | 'test';

/** One split of a dataset: examples flattened to `dim` values each, read by index. */
export interface DataSplit {
  readonly size: number;
  /** Values per example (the product of the dataset's `shape`). */
  readonly dim: number;
  /**
   * Copies the examples at `indices` into `out` (row-major, indices.length × dim). Implementations
   * may hold everything in memory or generate/read on demand; they must not allocate per call
   * beyond what the source format forces.
   */
  read(indices: ArrayLike<number>, out: Float32Array): void;
  /** Class labels, when the data has them (MNIST digits). */
  readonly labels?: Int32Array;
  /** Condition vectors (attributes) for conditional models on vector conditions. */
  readonly conditions?: { readonly dim: number; read(indices: ArrayLike<number>, out: Float32Array): void };
  /** Known generative factors (dSprites), for disentanglement metrics. */
  readonly factors?: GroundTruthFactors;
}

/**
 * The ground-truth generative factors of a split whose examples form a full factor grid (or a
 * known subset of one): every example has one class index per factor.
 */
export interface GroundTruthFactors {
  /** Factor names in the dataset's own order (dSprites: color, shape, scale, orientation, posX, posY). */
  readonly names: readonly string[];
  /** Number of classes of each factor. */
  readonly sizes: readonly number[];
  /** The real value of each class of each factor (e.g. scale 0.5 … 1). */
  readonly values: readonly (readonly number[])[];
  /** Writes the factor classes of the examples at `indices` into `out` (indices.length × factors). */
  classesOf(indices: ArrayLike<number>, out: Int32Array): void;
  /** The index of the example with these factor classes (one per factor). */
  indexOf(classes: ArrayLike<number>): number;
}

/** A transform applied on the backend to every training batch (e.g. dynamic binarisation). */
export interface BatchTransform {
  readonly name: string;
  /** Returns a new tensor; must not dispose `x`. `seed` comes from core's data stream. */
  apply(x: tf.Tensor2D, seed: number): tf.Tensor2D;
}

/** What every dataset component produces. */
export interface Dataset {
  readonly name: string;
  /** Shape of one example: [height, width, channels] for images, [features] for vectors. */
  readonly shape: readonly number[];
  /** `binary`: values in {0,1} (or probabilities in [0,1]); `continuous`: real values. */
  readonly support: 'binary' | 'continuous';
  /** Number of classes when the split has labels. */
  readonly numClasses?: number;
  readonly train: DataSplit;
  readonly test: DataSplit;
  /** Applied to training batches only; evaluation uses the split as stored. */
  readonly trainTransform?: BatchTransform;
  /** Corrupts the encoder's input in training only (denoising VAE); the clean batch stays the target. */
  readonly corrupt?: BatchTransform;
  /** One line on provenance for logs and run metadata (source, split rule, counts). */
  describe(): string;
}
export const Dataset = Symbol('Dataset');
