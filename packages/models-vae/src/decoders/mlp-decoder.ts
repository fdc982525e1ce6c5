import { ParamsHeadDecoder, defineNetwork, type ParameterStore, type RandomStream } from '@elbo/core';
import { type Activation, Mlp } from '@elbo/compute';
import { mlpOptions } from '../encoders/mlp-encoder.js';

/**
 * The network of p(x|z): z (and c, concatenated, when conditional) → hidden layers → a linear
 * layer producing, for every data value, each parameter the likelihood reads (logits; mean and
 * log-scale…). Hidden sizes are listed from z outwards, e.g. [400] or [300, 300].
 */
export class MlpDecoder extends ParamsHeadDecoder {
  constructor(
    store: ParameterStore,
    latentDim: number,
    conditionDim: number,
    readonly dataDim: number,
    paramNames: readonly string[],
    hidden: readonly number[],
    activation: Activation,
    init: RandomStream,
  ) {
    super(store, new Mlp(store, latentDim, hidden, dataDim * paramNames.length, activation, init, { dim: conditionDim, everyLayer: false }), paramNames);
  }
}

export const mlpDecoder = defineNetwork({
  kind: 'decoder',
  name: 'mlp',
  summary: 'Fully connected decoder: z → hidden layers → the likelihood parameters of every data value',
  options: mlpOptions,
  build: (o, s, params, init) => new MlpDecoder(params, s.latentDim, s.conditionDim, s.dataDim, s.likelihoodParams, o.hidden, o.activation, init),
});
