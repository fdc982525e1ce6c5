import { z } from 'zod';
import { opt } from '../config/options.js';
import { defineComponent } from '../registry/component.js';
import { Adam, Rmsprop, Sgd, type OptimizerFactory } from '@elbo/compute';

const clipNorm = () => opt.positive().nullable().default(null).describe('clip the global gradient norm to this value (null: no clipping)');
const adamShape = {
  lr: opt.positive().default(1e-3).describe('learning rate'),
  beta1: opt.range(0, 0.999999).default(0.9).describe('decay of the first moment'),
  beta2: opt.range(0, 0.999999).default(0.999).describe('decay of the second moment'),
  epsilon: opt.positive().default(1e-8).describe('ε added to √v̂'),
  clipNorm: clipNorm(),
};

export const adamOptimizer = defineComponent({
  kind: 'optimizer',
  name: 'adam',
  summary: 'Adam (Kingma & Ba 2015), one fused kernel per parameter on WASM and CPU',
  options: z.object(adamShape).strict(),
  create:
    (o): OptimizerFactory =>
    (params) =>
      new Adam(params, o),
});

export const adamwOptimizer = defineComponent({
  kind: 'optimizer',
  name: 'adamw',
  summary: 'AdamW: Adam with decoupled weight decay (Loshchilov & Hutter 2019)',
  options: z.object({ ...adamShape, weightDecay: opt.range(0, 1).default(0.01).describe('decoupled weight decay λ: θ ← θ − lr·λ·θ each step') }).strict(),
  create:
    (o): OptimizerFactory =>
    (params) =>
      new Adam(params, o),
});

export const sgdOptimizer = defineComponent({
  kind: 'optimizer',
  name: 'sgd',
  summary: 'stochastic gradient descent with (Nesterov) momentum, as PyTorch computes it',
  options: z
    .object({
      lr: opt.positive().default(0.01).describe('learning rate'),
      momentum: opt.range(0, 0.999999).default(0.9).describe('momentum μ (0: plain SGD)'),
      nesterov: z.boolean().default(false).describe('Nesterov momentum'),
      clipNorm: clipNorm(),
    })
    .strict(),
  create:
    (o): OptimizerFactory =>
    (params) =>
      new Sgd(params, o),
});

export const rmspropOptimizer = defineComponent({
  kind: 'optimizer',
  name: 'rmsprop',
  summary: 'RMSprop (Tieleman & Hinton 2012), as PyTorch computes it',
  options: z
    .object({
      lr: opt.positive().default(1e-3).describe('learning rate'),
      rho: opt.range(0, 0.999999).default(0.9).describe('decay of the mean square'),
      epsilon: opt.positive().default(1e-8).describe('ε added to √s'),
      clipNorm: clipNorm(),
    })
    .strict(),
  create:
    (o): OptimizerFactory =>
    (params) =>
      new Rmsprop(params, o),
});

export const optimizerComponents = [adamOptimizer, adamwOptimizer, sgdOptimizer, rmspropOptimizer];
