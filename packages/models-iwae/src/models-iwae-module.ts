import { ContainerModule } from 'inversify';
import { ComponentContribution, type ComponentManifest } from '@elbo/core';
import { iwaeObjective } from './iwae-objective.js';
import { twoLayerPosterior, twoLayerPrior } from './two-layer.js';

/** Burda et al. 2016: the importance-weighted objective and the two stochastic layers. */
export const modelsIwaeManifest: ComponentManifest = [iwaeObjective, twoLayerPosterior, twoLayerPrior];

export const modelsIwaeModule = new ContainerModule((o) => {
  o.bind(ComponentContribution).toConstantValue(modelsIwaeManifest);
});
