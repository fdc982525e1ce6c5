export { modelsFlowsModule, modelsFlowsManifest } from './models-flows-module.js';
export { FlowFamily, FlowKl, FlowPosterior, pushThrough, type FlowStep } from './flow-posterior.js';
export { PlanarStep, planarPosterior } from './planar-flow.js';
export { IafStep, iafPosterior, madeMasks, type IafForm } from './iaf-flow.js';
