export { modelsDisentangledModule, modelsDisentangledManifest } from './models-disentangled-module.js';
