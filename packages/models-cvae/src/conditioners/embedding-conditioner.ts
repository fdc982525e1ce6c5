import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { defineComponent, opt, type ConditionInput, type Conditioner, type DataSplit, type ParameterStore, type RandomStream } from '@elbo/core';
import { allLabels, classCount, parseLabels, readLabels } from './label-conditions.js';

/**
 * c = E[label]: a learned embedding table E [classes, dim], trained with the model. Computed as
 * one-hot(label)·E so its gradient is a dense product.
 */
export class EmbeddingConditioner implements Conditioner {
  private readonly table: tf.Variable;

  constructor(
    private readonly store: ParameterStore,
    readonly numClasses: number,
    readonly dim: number,
    init: RandomStream,
  ) {
    this.table = store.create('embedding', tf.randomNormal([numClasses, dim], 0, 1 / Math.sqrt(dim), 'float32', init.nextSeed()));
  }

  parameters() {
    return this.store.parameters();
  }

  read(split: DataSplit, indices: ArrayLike<number>): ConditionInput {
    return readLabels(split, indices, 'condition/embedding');
  }

  encode(input: ConditionInput): tf.Tensor2D {
    return tf.tidy(() => tf.matMul(tf.cast(tf.oneHot(tf.tensor1d(input.labels!, 'int32'), this.numClasses), 'float32'), this.table as tf.Tensor2D));
  }

  parse(values: readonly string[], n: number, source: string): ConditionInput {
    return parseLabels(values, n, this.numClasses, source);
  }

  allClasses(): ConditionInput {
    return allLabels(this.numClasses);
  }
}

export const embeddingConditioner = defineComponent({
  kind: 'condition',
  name: 'embedding',
  summary: 'Class label through a learned embedding table',
  options: z.object({ dim: opt.positiveInt().default(16).describe('width of the embedding') }).strict(),
  create: (o, ctx) => new EmbeddingConditioner(ctx.params, classCount(ctx.dataset, 'condition/embedding'), o.dim, ctx.rng.stream('init/condition')),
});
