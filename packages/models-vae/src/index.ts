export { modelsVaeModule, modelsVaeManifest } from './models-vae-module.js';
export { MlpEncoder, mlpEncoder, mlpOptions } from './encoders/mlp-encoder.js';
export { MlpDecoder, mlpDecoder } from './decoders/mlp-decoder.js';
export { ConvEncoder, convEncoder, convOptions } from './encoders/conv-encoder.js';
export { ConvDecoder, convDecoder } from './decoders/conv-decoder.js';
export { GaussianLikelihood, gaussianLikelihood } from './likelihoods/gaussian-likelihood.js';
export { DiscretisedLogisticLikelihood, discretisedLogisticLikelihood, discretisedLogisticOptions } from './likelihoods/discretised-logistic-likelihood.js';
export { Normal } from './likelihoods/normal.js';
export { AnalyticKl, BernoulliLikelihood, MonteCarloKl, StandardNormalPrior, standardComponents } from './standard-components.js';
