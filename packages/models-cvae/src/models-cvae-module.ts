import { ContainerModule } from 'inversify';
import { ComponentContribution, type ComponentManifest } from '@elbo/core';
import { onehotConditioner } from './conditioners/onehot-conditioner.js';
import { embeddingConditioner } from './conditioners/embedding-conditioner.js';
import { vectorConditioner } from './conditioners/vector-conditioner.js';
import { conditionalMlpEncoder } from './encoders/conditional-mlp-encoder.js';
import { conditionalMlpDecoder } from './decoders/conditional-mlp-decoder.js';
import { conditionalGaussianPrior } from './priors/conditional-gaussian-prior.js';

/** The conditional VAE's components. models-vae's `mlp` and `conv` networks also accept c (concatenated at their input). */
export const modelsCvaeManifest: ComponentManifest = [
  onehotConditioner,
  embeddingConditioner,
  vectorConditioner,
  conditionalMlpEncoder,
  conditionalMlpDecoder,
  conditionalGaussianPrior,
];

export const modelsCvaeModule = new ContainerModule((o) => {
  o.bind(ComponentContribution).toConstantValue(modelsCvaeManifest);
});
