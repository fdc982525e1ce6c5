export { modelsIwaeModule, modelsIwaeManifest } from './models-iwae-module.js';
export { IwaeObjective, iwaeObjective } from './iwae-objective.js';
export { TwoLayerFamily, TwoLayerPosterior, TwoLayerPrior, twoLayerOptions, twoLayerPosterior, twoLayerPrior } from './two-layer.js';
