import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ConfigError, opt, type Condition, type ParameterStore, type RandomStream } from '@elbo/core';
import { type Activation } from '@elbo/compute';
import { DenseLayer } from '@elbo/compute';
import { activationOption } from '@elbo/core';

export const conditionalMlpOptions = z
  .object({
    hidden: opt.widths().default([400]).describe('widths of the hidden layers'),
    activation: activationOption().default('relu').describe('activation of the hidden layers'),
    inject: opt.oneOf(['input', 'every-layer']).default('every-layer').describe('concatenate c to the input only, or to the input of every layer'),
  })
  .strict();
export type ConditionalMlpOptions = z.output<typeof conditionalMlpOptions>;

/**
 * An MLP that sees the condition c: concatenated to its input, and (with `every-layer`) to the
 * input of every later layer as well, so deep layers cannot lose it. Built from models-vae's
 * DenseLayer. Shared by the conditional encoder (out = 2L) and decoder (out = D × params).
 */
export class ConditionalMlp {
  private readonly layers: DenseLayer[];

  constructor(store: ParameterStore, inDim: number, readonly conditionDim: number, outDim: number, o: ConditionalMlpOptions, init: RandomStream) {
    const every = o.inject === 'every-layer';
    let d = inDim + conditionDim;
    this.layers = [...o.hidden, outDim].map((h, i) => {
      const last = i === o.hidden.length;
      const layer = new DenseLayer(store, last ? 'head' : `hidden${i}`, d, h, last ? 'linear' : (o.activation as Activation), init);
      d = h + (every ? conditionDim : 0);
      return layer;
    });
    this.every = every;
  }

  private readonly every: boolean;

  apply(x: tf.Tensor2D, c: Condition, who: string): tf.Tensor2D {
    if (!c) throw new ConfigError(`${who} is conditional: set model.condition (e.g. { name: onehot })`);
    return tf.tidy(() => this.layers.reduce((h, l, i) => l.apply(i === 0 || this.every ? (tf.concat([h, c], 1) as tf.Tensor2D) : h), x));
  }
}

export function requireCondition(conditionDim: number, who: string): void {
  if (conditionDim === 0) throw new ConfigError(`${who}: a conditional network needs model.condition (e.g. { name: onehot })`);
}
