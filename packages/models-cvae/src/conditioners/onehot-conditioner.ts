import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { NO_PARAMETERS, defineComponent, type ConditionInput } from '@elbo/core';
import { LabelConditioner, classCount } from './label-conditions.js';

/** c = one-hot(label), width = number of classes (Sohn et al. 2015; Kingma et al. 2014 M2). */
export class OneHotConditioner extends LabelConditioner {
  constructor(numClasses: number) {
    super(numClasses, 'condition/onehot');
  }

  get dim(): number {
    return this.numClasses;
  }

  parameters() {
    return NO_PARAMETERS;
  }

  encode(input: ConditionInput): tf.Tensor2D {
    return tf.tidy(() => this.oneHot(input));
  }
}

export const onehotConditioner = defineComponent({
  kind: 'condition',
  name: 'onehot',
  summary: 'Class label as a one-hot vector',
  options: z.object({}).strict(),
  create: (_o, ctx) => new OneHotConditioner(classCount(ctx.dataset, 'condition/onehot')),
});
