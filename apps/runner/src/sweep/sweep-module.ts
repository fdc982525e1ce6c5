import { ContainerModule } from 'inversify';
import { ComponentContribution, type ComponentManifest } from '@elbo/core';
import { bullmqExecutorComponent } from './bullmq-executor.js';
import { localExecutorComponent } from './local-executor.js';

/** The runner's own components: the executors that run a sweep's trials. */
export const sweepManifest: ComponentManifest = [localExecutorComponent, bullmqExecutorComponent];

/** The runner's ContainerModule for sweeps: contributes the manifest, nothing else. */
export const sweepModule = new ContainerModule((o) => {
  o.bind(ComponentContribution).toConstantValue(sweepManifest);
});
