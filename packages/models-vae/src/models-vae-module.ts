import { ContainerModule } from 'inversify';
import { ComponentContribution, type ComponentManifest } from '@elbo/core';
import { mlpEncoder } from './encoders/mlp-encoder.js';
import { mlpDecoder } from './decoders/mlp-decoder.js';
import { gaussianLikelihood } from './likelihoods/gaussian-likelihood.js';
import { discretisedLogisticLikelihood } from './likelihoods/discretised-logistic-likelihood.js';
import { standardComponents } from './standard-components.js';
import { convEncoder } from './encoders/conv-encoder.js';
import { convDecoder } from './decoders/conv-decoder.js';

/** Every component of the plain VAE. */
export const modelsVaeManifest: ComponentManifest = [mlpEncoder, mlpDecoder, convEncoder, convDecoder, gaussianLikelihood, discretisedLogisticLikelihood, ...standardComponents];

export const modelsVaeModule = new ContainerModule((o) => {
  o.bind(ComponentContribution).toConstantValue(modelsVaeManifest);
});
