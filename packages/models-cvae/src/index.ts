export { modelsCvaeModule, modelsCvaeManifest } from './models-cvae-module.js';
