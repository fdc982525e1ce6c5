import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { NO_PARAMETERS, defineComponent, type ConditionInput, type Conditioner, type DataSplit } from '@elbo/core';
import { allLabels, classCount, parseLabels, readLabels } from './label-conditions.js';

/** c = one-hot(label), width = number of classes (Sohn et al. 2015; Kingma et al. 2014 M2). */
export class OneHotConditioner implements Conditioner {
  constructor(readonly numClasses: number) {}

  get dim(): number {
    return this.numClasses;
  }

  parameters() {
    return NO_PARAMETERS;
  }

  read(split: DataSplit, indices: ArrayLike<number>): ConditionInput {
    return readLabels(split, indices, 'condition/onehot');
  }

  encode(input: ConditionInput): tf.Tensor2D {
    return tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(input.labels!, 'int32'), this.numClasses), 'float32') as tf.Tensor2D);
  }

  parse(values: readonly string[], n: number, source: string): ConditionInput {
    return parseLabels(values, n, this.numClasses, source);
  }

  allClasses(): ConditionInput {
    return allLabels(this.numClasses);
  }
}

export const onehotConditioner = defineComponent({
  kind: 'condition',
  name: 'onehot',
  summary: 'Class label as a one-hot vector',
  options: z.object({}).strict(),
  create: (_o, ctx) => new OneHotConditioner(classCount(ctx.dataset, 'condition/onehot')),
});
