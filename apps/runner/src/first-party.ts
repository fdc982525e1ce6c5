import type { ContainerModule } from 'inversify';
import { modelsVaeModule } from '@elbo/models-vae';
import { modelsCvaeModule } from '@elbo/models-cvae';
import { modelsDisentangledModule } from '@elbo/models-disentangled';
import { datasetsModule } from '@elbo/datasets';
import { trackersModule } from '@elbo/trackers';
import { sweepModule } from './sweep/sweep-module.js';

/** The modules every run loads; plugins named in a config are added after these. */
export const firstPartyModules: readonly ContainerModule[] = [modelsVaeModule, modelsCvaeModule, modelsDisentangledModule, datasetsModule, trackersModule, sweepModule];
