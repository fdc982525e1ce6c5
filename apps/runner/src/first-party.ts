import type { ContainerModule } from 'inversify';
import { modelsVaeModule } from '@elbo/models-vae';
import { modelsCvaeModule } from '@elbo/models-cvae';
import { modelsDisentangledModule } from '@elbo/models-disentangled';
import { modelsIwaeModule } from '@elbo/models-iwae';
import { modelsVampModule } from '@elbo/models-vamp';
import { modelsFlowsModule } from '@elbo/models-flows';
import { modelsVqModule } from '@elbo/models-vq';
import { datasetsModule } from '@elbo/datasets';
import { trackersModule } from '@elbo/trackers';
import { usesModule } from '@elbo/uses';
import { dataParallelModule, type WorkerSetup } from '@elbo/data-parallel';
import { sweepModule } from './sweep/sweep-module.js';
import { trainingCurvesModule } from './plots/training-curves.js';

/** How a training worker thread builds the same registry (`train.workers` > 1): `setupForConfig` of setup.ts. */
export const workerSetup: WorkerSetup = { module: new URL('./setup.ts', import.meta.url).href, export: 'setupForConfig' };

/** Data-parallel training (`train.workers`), whose workers rebuild the registry with `workerSetup`. */
export const dataParallel = dataParallelModule(workerSetup);

/** The modules every run loads; plugins named in a config are added after these. The standard figures come first. */
export const firstPartyModules: readonly ContainerModule[] = [
  usesModule,
  modelsVaeModule,
  modelsCvaeModule,
  modelsDisentangledModule,
  modelsIwaeModule,
  modelsVampModule,
  modelsFlowsModule,
  modelsVqModule,
  datasetsModule,
  trackersModule,
  dataParallel,
  sweepModule,
  trainingCurvesModule,
];
