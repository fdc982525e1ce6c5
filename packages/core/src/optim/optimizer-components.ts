import { z } from 'zod';
import { opt } from '../config/options.js';
import { defineComponent } from '../registry/component.js';
import type * as tf from '@tensorflow/tfjs-core';
import { Adam, Rmsprop, Sgd, type Optimizer, type OptimizerFactory } from '@elbo/compute';

/** An `optimizer/<name>` component: its options schema and the optimiser it makes for a set of parameters. */
function optimizer<T extends z.ZodType>(name: string, summary: string, options: T, make: (params: ReadonlyMap<string, tf.Variable>, o: z.output<T>) => Optimizer) {
  return defineComponent({
    kind: 'optimizer',
    name,
    summary,
    options,
    create:
      (o): OptimizerFactory =>
      (params) =>
        make(params, o),
  });
}

/** Every optimiser's options: its own, and `clipNorm`. */
const withClip = <S extends z.ZodRawShape>(shape: S) =>
  z.object({ ...shape, clipNorm: opt.positive().nullable().default(null).describe('clip the global gradient norm to this value (null: no clipping)') }).strict();
const lr = (value: number) => opt.positive().default(value).describe('learning rate');
const decay = (value: number, what: string) => opt.range(0, 0.999999).default(value).describe(what);
const adamShape = {
  lr: lr(1e-3),
  beta1: decay(0.9, 'decay of the first moment'),
  beta2: decay(0.999, 'decay of the second moment'),
  epsilon: opt.positive().default(1e-8).describe('ε added to √v̂'),
};

export const optimizerComponents = [
  optimizer('adam', 'Adam (Kingma & Ba 2015), one fused kernel per parameter on WASM and CPU', withClip(adamShape), (p, o) => new Adam(p, o)),
  optimizer(
    'adamw',
    'AdamW: Adam with decoupled weight decay (Loshchilov & Hutter 2019)',
    withClip({ ...adamShape, weightDecay: opt.range(0, 1).default(0.01).describe('decoupled weight decay λ: θ ← θ − lr·λ·θ each step') }),
    (p, o) => new Adam(p, o),
  ),
  optimizer(
    'sgd',
    'stochastic gradient descent with (Nesterov) momentum, as PyTorch computes it',
    withClip({ lr: lr(0.01), momentum: decay(0.9, 'momentum μ (0: plain SGD)'), nesterov: z.boolean().default(false).describe('Nesterov momentum') }),
    (p, o) => new Sgd(p, o),
  ),
  optimizer(
    'rmsprop',
    'RMSprop (Tieleman & Hinton 2012), as PyTorch computes it',
    withClip({ lr: lr(1e-3), rho: decay(0.9, 'decay of the mean square'), epsilon: opt.positive().default(1e-8).describe('ε added to √s') }),
    (p, o) => new Rmsprop(p, o),
  ),
];
