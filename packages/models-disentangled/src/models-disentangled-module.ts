import { ContainerModule } from 'inversify';
import { ComponentContribution, type ComponentManifest } from '@elbo/core';

/** Components of this package (filled in as its models land). */
export const modelsDisentangledManifest: ComponentManifest = [];

export const modelsDisentangledModule = new ContainerModule((o) => {
  o.bind(ComponentContribution).toConstantValue(modelsDisentangledManifest);
});
