export { modelsFlowsModule, modelsFlowsManifest } from './models-flows-module.js';
export { FlowFamily, FlowPosterior, pushThrough, type FlowStep } from './flow-posterior.js';
export { PlanarStep, planarPosterior } from './planar-flow.js';
export { IafStep, iafPosterior, madeMasks } from './iaf-flow.js';
