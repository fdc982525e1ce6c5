export { modelsVqModule, modelsVqManifest } from './models-vq-module.js';
export { VqFamily, VqPosterior, vqPosterior, vqOptions, stopGradient } from './vq-posterior.js';
export { VqDivergence, vqDivergence, vqFamilyOf } from './vq-divergence.js';
export { CodebookPrior, codebookPrior } from './codebook-prior.js';
