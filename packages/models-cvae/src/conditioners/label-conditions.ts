import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, type ConditionInput, type Conditioner, type Dataset, type DataSplit } from '@elbo/core';

/** The number of classes of a labelled dataset; a ConfigError naming the component otherwise. */
export function classCount(dataset: Dataset | undefined, component: string): number {
  if (!dataset) throw new Error(`${component} needs the run's dataset`);
  if (!dataset.train.labels || !dataset.numClasses) {
    throw new ConfigError(`model.condition: ${component} conditions on class labels, but dataset "${dataset.name}" has none (use a labelled dataset, or a vector condition)`);
  }
  return dataset.numClasses;
}

/** The labels of the examples at `indices`. */
export function readLabels(split: DataSplit, indices: ArrayLike<number>, component: string): ConditionInput {
  const labels = split.labels;
  if (!labels) throw new ConfigError(`model.condition: ${component} needs class labels, and this split has none`);
  return { labels: Int32Array.from(indices, (i) => labels[i]!) };
}

/**
 * Parses `--condition` values as class labels: one value for all `n` examples, or `n` values.
 * Each must be an integer in [0, classes).
 */
export function parseLabels(values: readonly string[], n: number, classes: number, source: string): ConditionInput {
  if (values.length !== 1 && values.length !== n) throw new ConfigError(`${source}: expected 1 or ${n} class labels, got ${values.length}`);
  const labels = values.map((v) => {
    const k = Number(v);
    if (!Number.isInteger(k) || k < 0 || k >= classes) throw new ConfigError(`${source}: expected a class label from 0 to ${classes - 1}, got ${JSON.stringify(v)}`);
    return k;
  });
  return { labels: Int32Array.from({ length: n }, (_, i) => labels[values.length === 1 ? 0 : i]!) };
}

export const allLabels = (classes: number): ConditionInput => ({ labels: Int32Array.from({ length: classes }, (_, i) => i) });

/**
 * A conditioner of class labels: it reads, parses and enumerates labels the same way whatever it
 * makes of them; `encode` starts from their one-hot vectors. `component` names it in errors.
 */
export abstract class LabelConditioner implements Conditioner {
  abstract readonly dim: number;

  constructor(
    readonly numClasses: number,
    private readonly component: string,
  ) {}

  abstract parameters(): ReadonlyMap<string, tf.Variable>;

  abstract encode(input: ConditionInput): tf.Tensor2D;

  read(split: DataSplit, indices: ArrayLike<number>): ConditionInput {
    return readLabels(split, indices, this.component);
  }

  parse(values: readonly string[], n: number, source: string): ConditionInput {
    return parseLabels(values, n, this.numClasses, source);
  }

  allClasses(): ConditionInput {
    return allLabels(this.numClasses);
  }

  /** The labels as one-hot rows [n, classes] (float32). */
  protected oneHot(input: ConditionInput): tf.Tensor2D {
    return tf.cast(tf.oneHot(tf.tensor1d(input.labels!, 'int32'), this.numClasses), 'float32') as tf.Tensor2D;
  }
}
