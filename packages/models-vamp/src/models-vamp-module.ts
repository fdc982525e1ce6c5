import { ContainerModule } from 'inversify';
import { ComponentContribution, type ComponentManifest } from '@elbo/core';
import { vampPrior } from './vamp-prior.js';

/** The VampPrior. */
export const modelsVampManifest: ComponentManifest = [vampPrior];

export const modelsVampModule = new ContainerModule((o) => {
  o.bind(ComponentContribution).toConstantValue(modelsVampManifest);
});
