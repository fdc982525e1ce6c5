import { ParamsHeadDecoder, defineNetwork, type ParameterStore, type RandomStream } from '@elbo/core';
import { ConditionalMlp, conditionalMlpOptions, type ConditionalMlpOptions } from '../encoders/conditional-mlp.js';

/** The network of p(x | z, c): an MLP over [z, c] (c at every layer by default). */
export class ConditionalMlpDecoder extends ParamsHeadDecoder {
  constructor(
    store: ParameterStore,
    latentDim: number,
    conditionDim: number,
    readonly dataDim: number,
    paramNames: readonly string[],
    o: ConditionalMlpOptions,
    init: RandomStream,
  ) {
    super(store, new ConditionalMlp(store, 'decoder', latentDim, conditionDim, dataDim * paramNames.length, o, init), paramNames);
  }
}

export const conditionalMlpDecoder = defineNetwork({
  kind: 'decoder',
  name: 'conditional-mlp',
  summary: 'p(x|z,c): MLP over z with the condition c at the input (or every layer)',
  options: conditionalMlpOptions,
  build: (o, s, params, init) => new ConditionalMlpDecoder(params, s.latentDim, s.conditionDim, s.dataDim, s.likelihoodParams, o, init),
});
