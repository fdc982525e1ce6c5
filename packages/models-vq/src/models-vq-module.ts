import { ContainerModule } from 'inversify';
import { ComponentContribution, type ComponentManifest } from '@elbo/core';
import { vqPosterior } from './vq-posterior.js';
import { vqDivergence } from './vq-divergence.js';
import { codebookPrior } from './codebook-prior.js';

/** The VQ-VAE: codebook posterior, its losses, its categorical prior. */
export const modelsVqManifest: ComponentManifest = [vqPosterior, vqDivergence, codebookPrior];

export const modelsVqModule = new ContainerModule((o) => {
  o.bind(ComponentContribution).toConstantValue(modelsVqManifest);
});
