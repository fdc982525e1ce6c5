import { z } from 'zod';
import { GaussianHeadEncoder, defineNetwork, opt, type ParameterStore, type RandomStream, activationOption } from '@elbo/core';
import { type Activation, Mlp } from '@elbo/compute';

export const mlpOptions = z
  .object({
    hidden: opt.widths().default([400]).describe('widths of the hidden layers, from the data (encoder) or the latent (decoder) outwards'),
    activation: activationOption().default('relu').describe('activation of the hidden layers'),
  })
  .strict();

/**
 * q(z|x) = N(μ(x), diag exp(ℓ(x))) from an MLP: x → hidden layers → one linear head of width 2L,
 * split into μ and the log-variance ℓ. A condition c, when present, is concatenated to x.
 */
export class MlpEncoder extends GaussianHeadEncoder {
  constructor(
    store: ParameterStore,
    dataDim: number,
    conditionDim: number,
    readonly latentDim: number,
    hidden: readonly number[],
    activation: Activation,
    init: RandomStream,
  ) {
    super(store, new Mlp(store, dataDim, hidden, 2 * latentDim, activation, init, { dim: conditionDim, everyLayer: false }));
  }
}

export const mlpEncoder = defineNetwork({
  kind: 'encoder',
  name: 'mlp',
  summary: 'Fully connected encoder: x → hidden layers → (μ, log σ²)',
  options: mlpOptions,
  build: (o, s, params, init) => new MlpEncoder(params, s.dataDim, s.conditionDim, s.latentDim, o.hidden, o.activation, init),
});
