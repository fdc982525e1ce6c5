import { ContainerModule } from 'inversify';
import { optimizerComponents } from './optim/optimizer-components.js';
import { ComponentContribution, type ComponentManifest } from './registry/component.js';
import { constantSchedule, linearWarmupSchedule } from './training/schedules.js';

/** Components core itself contributes: schedules and optimisers. */
export const coreManifest: ComponentManifest = [constantSchedule, linearWarmupSchedule, ...optimizerComponents];

/** Core's ContainerModule: its own components. A run's services are bound per run by `createRunContainer`. */
export const coreModule = new ContainerModule((o) => {
  o.bind(ComponentContribution).toConstantValue(coreManifest);
});
