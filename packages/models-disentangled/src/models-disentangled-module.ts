import { ContainerModule } from 'inversify';
import { ComponentContribution, FigureContribution, type ComponentManifest, type FigureMaker } from '@elbo/core';
import { latentTraversalFigures } from './figures/latent-traversals.js';
import { betaDivergence } from './divergences/beta-divergence.js';
import { betaTcDivergence } from './divergences/beta-tc-divergence.js';
import { factorDivergence } from './divergences/factor-divergence.js';
import { metricComponents } from './metrics/metric-components.js';

/** Components of this package: the disentangling divergences and the disentanglement metrics. */
export const modelsDisentangledManifest: ComponentManifest = [betaDivergence, factorDivergence, betaTcDivergence, ...metricComponents];

/** Latent traversals for every image model's run (one row per latent dimension, ordered by KL). */
export const latentTraversalFigure: FigureMaker = { name: 'latent-traversals', make: (model, dataset) => latentTraversalFigures(model, dataset) };

export const modelsDisentangledModule = new ContainerModule((o) => {
  o.bind(ComponentContribution).toConstantValue(modelsDisentangledManifest);
  o.bind(FigureContribution).toConstantValue(latentTraversalFigure);
});
