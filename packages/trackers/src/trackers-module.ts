import { ContainerModule } from 'inversify';
import { z } from 'zod';
import { ComponentContribution, defineComponent, opt, type ComponentManifest, type Tracker } from '@elbo/core';
import { ConsoleTracker } from './console/console-tracker.js';
import { LocalTracker } from './local/local-tracker.js';

/** `tracker/local`: the run's record as plain files in its run folder (the embedded default). */
export const localTrackerComponent = defineComponent({
  kind: 'tracker',
  name: 'local',
  summary: 'records params, metrics, status and an artifact index as files in the run folder',
  options: z.strictObject({}),
  create: (): Tracker => new LocalTracker(),
});

/** `tracker/console`: progress bar or periodic lines, metric summaries and the final status on stderr. */
export const consoleTrackerComponent = defineComponent({
  kind: 'tracker',
  name: 'console',
  summary: 'prints progress (a bar on a TTY, periodic lines otherwise) and metric summaries to stderr',
  options: z.strictObject({
    /** Seconds between progress lines when there is no bar. */
    interval: opt.positive().default(5).describe('seconds between progress lines when there is no bar'),
    bar: opt.oneOf(['auto', 'always', 'never']).default('auto').describe('auto: a progress bar when stderr is a terminal'),
  }),
  create: (options): Tracker => new ConsoleTracker(options),
});

/** Every component this package contributes. */
export const trackersManifest: ComponentManifest = [localTrackerComponent, consoleTrackerComponent];

/** The package's single ContainerModule: contributes the manifest, nothing else. */
export const trackersModule = new ContainerModule((o) => {
  o.bind(ComponentContribution).toConstantValue(trackersManifest);
});
