import { ContainerModule } from 'inversify';
import { ComponentContribution, type ComponentManifest } from '@elbo/core';
import { mnistComponent } from './mnist/mnist-component.js';
import { idxComponent } from './idx/idx-component.js';
import { dspritesComponent } from './dsprites/dsprites-component.js';
import { csvComponent } from './csv/csv-component.js';

/** Every component @elbo/datasets contributes. */
export const datasetsManifest: ComponentManifest = [mnistComponent, idxComponent, dspritesComponent, csvComponent];

/** The package's single ContainerModule: contributes the manifest to the component registry. */
export const datasetsModule = new ContainerModule((o) => {
  o.bind(ComponentContribution).toConstantValue(datasetsManifest);
});
