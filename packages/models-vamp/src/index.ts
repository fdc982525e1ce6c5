export { modelsVampModule, modelsVampManifest } from './models-vamp-module.js';
export { VampPrior, vampPrior } from './vamp-prior.js';
