import { ContainerModule } from 'inversify';
import { ComponentContribution, type ComponentManifest } from '@elbo/core';
import { planarPosterior } from './planar-flow.js';
import { iafPosterior } from './iaf-flow.js';

/** Normalising-flow posteriors. */
export const modelsFlowsManifest: ComponentManifest = [planarPosterior, iafPosterior];

export const modelsFlowsModule = new ContainerModule((o) => {
  o.bind(ComponentContribution).toConstantValue(modelsFlowsManifest);
});
