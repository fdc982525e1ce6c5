import { ContainerModule } from 'inversify';
import { ComponentContribution, type ComponentManifest } from './registry/component.js';
import { constantSchedule, linearWarmupSchedule } from './training/schedules.js';

/** Components core itself contributes. */
export const coreManifest: ComponentManifest = [constantSchedule, linearWarmupSchedule];

/** Core's ContainerModule: its own components. Services are bound per run by `createRunContainer`. */
export const coreModule = new ContainerModule((o) => {
  o.bind(ComponentContribution).toConstantValue(coreManifest);
});
