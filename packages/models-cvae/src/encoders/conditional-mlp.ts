import type * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ConfigError, activationOption, opt, type Condition, type ConditionedNetwork, type ParameterStore, type RandomStream } from '@elbo/core';
import { Mlp, type Activation } from '@elbo/compute';

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
 * input of every later layer as well, so deep layers cannot lose it. Compute's Mlp with c as its
 * side input; unlike the plain MLP networks it refuses to run without c. Shared by the conditional
 * encoder (out = 2L) and decoder (out = D × params).
 */
export class ConditionalMlp implements ConditionedNetwork {
  private readonly net: Mlp;

  constructor(
    store: ParameterStore,
    private readonly kind: 'encoder' | 'decoder',
    inDim: number,
    readonly conditionDim: number,
    outDim: number,
    o: ConditionalMlpOptions,
    init: RandomStream,
  ) {
    if (conditionDim === 0) throw new ConfigError(`model.${kind}: a conditional network needs model.condition (e.g. { name: onehot })`);
    this.net = new Mlp(store, inDim, o.hidden, outDim, o.activation as Activation, init, { dim: conditionDim, everyLayer: o.inject === 'every-layer' });
  }

  apply(x: tf.Tensor2D, c?: Condition): tf.Tensor2D {
    if (!c) throw new ConfigError(`${this.kind}/conditional-mlp is conditional: set model.condition (e.g. { name: onehot })`);
    return this.net.apply(x, c);
  }
}
