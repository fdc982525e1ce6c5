import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { defineComponent, opt, type ConditionInput, type ParameterStore, type RandomStream } from '@elbo/core';
import { checkTensorSize } from '@elbo/compute';
import { LabelConditioner, classCount } from './label-conditions.js';

/**
 * c = E[label]: a learned embedding table E [classes, dim], trained with the model. Computed as
 * one-hot(label)·E so its gradient is a dense product.
 */
export class EmbeddingConditioner extends LabelConditioner {
  private readonly table: tf.Variable;

  constructor(
    private readonly store: ParameterStore,
    numClasses: number,
    readonly dim: number,
    init: RandomStream,
  ) {
    super(numClasses, 'condition/embedding');
    checkTensorSize('model.condition.dim: the embedding table', [numClasses, dim]);
    this.table = store.create('embedding', tf.randomNormal([numClasses, dim], 0, 1 / Math.sqrt(dim), 'float32', init.nextSeed()));
  }

  parameters() {
    return this.store.parameters();
  }

  encode(input: ConditionInput): tf.Tensor2D {
    return tf.tidy(() => tf.matMul(this.oneHot(input), this.table as tf.Tensor2D));
  }
}

export const embeddingConditioner = defineComponent({
  kind: 'condition',
  name: 'embedding',
  summary: 'Class label through a learned embedding table',
  options: z.object({ dim: opt.positiveInt().default(16).describe('width of the embedding') }).strict(),
  create: (o, ctx) => new EmbeddingConditioner(ctx.params, classCount(ctx.dataset, 'condition/embedding'), o.dim, ctx.rng.stream('init/condition')),
});
