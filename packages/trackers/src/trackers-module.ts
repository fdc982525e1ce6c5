import { ContainerModule } from 'inversify';
import { z } from 'zod';
import { ComponentContribution, defineComponent, opt, type ComponentManifest, type Tracker } from '@elbo/core';
import { ConsoleTracker } from './console/console-tracker.js';
import { LocalTracker } from './local/local-tracker.js';
import { MlflowTracker } from './mlflow/mlflow-tracker.js';
import { mlflowOptionsSchema } from './mlflow/mlflow-options.js';
import { resolveMlflowSettings } from './mlflow/mlflow-settings.js';

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

/**
 * `tracker/mlflow`: the run in an MLflow tracking server over REST, with a durable local spool.
 * Building it reads the environment (MLFLOW_TRACKING_URI…) and fails with a ConfigError when no
 * tracking URI is configured anywhere; it touches no network until the run starts.
 */
export const mlflowTrackerComponent = defineComponent({
  kind: 'tracker',
  name: 'mlflow',
  summary: 'logs params, metric histories, tags, artifacts and the status to an MLflow tracking server over REST; nothing is lost while it is away',
  options: mlflowOptionsSchema,
  create: (options, ctx): Tracker => new MlflowTracker(resolveMlflowSettings(options, process.env), { logger: ctx.logger }),
});

/** Every component this package contributes. */
export const trackersManifest: ComponentManifest = [localTrackerComponent, consoleTrackerComponent, mlflowTrackerComponent];

/** The package's single ContainerModule: contributes the manifest, nothing else. */
export const trackersModule = new ContainerModule((o) => {
  o.bind(ComponentContribution).toConstantValue(trackersManifest);
});
