import { GaussianHeadEncoder, defineNetwork, type ParameterStore, type RandomStream } from '@elbo/core';
import { ConditionalMlp, conditionalMlpOptions, type ConditionalMlpOptions } from './conditional-mlp.js';

/** q(z | x, c) from an MLP over [x, c] (c injected at every layer by default). */
export class ConditionalMlpEncoder extends GaussianHeadEncoder {
  constructor(
    store: ParameterStore,
    dataDim: number,
    conditionDim: number,
    readonly latentDim: number,
    o: ConditionalMlpOptions,
    init: RandomStream,
  ) {
    super(store, new ConditionalMlp(store, 'encoder', dataDim, conditionDim, 2 * latentDim, o, init));
  }
}

export const conditionalMlpEncoder = defineNetwork({
  kind: 'encoder',
  name: 'conditional-mlp',
  summary: 'q(z|x,c): MLP over x with the condition c at the input (or every layer)',
  options: conditionalMlpOptions,
  build: (o, s, params, init) => new ConditionalMlpEncoder(params, s.dataDim, s.conditionDim, s.latentDim, o, init),
});
