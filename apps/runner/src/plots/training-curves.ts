import { join } from 'node:path';
import { ContainerModule } from 'inversify';
import { Logger, RunConfig, RunDir, RunFiles, RunModule, TrainerCallback, Trackers, writeFileAtomic, type ResolvedRunConfig, type TrackerHub } from '@elbo/core';
import { curvesSpec } from './metric-curves.js';
import { renderPlot } from './render-plot.js';

/** The file, relative to the run's artifact root, that holds the training curves. */
export const CURVES_FILE = 'curves.png';

/**
 * Draws the run's per-epoch curves when the fit ends, from the trainer's metric history (a resumed
 * run's history includes the epochs before the resume), into `<runDir>/artifacts/curves.png`
 * (atomically), and lists it with every tracker, so MLflow keeps it too. A plot that cannot be
 * drawn is a warning: it never costs a trained model.
 */
export function trainingCurves(runDir: string, hub: TrackerHub, logger: Logger, title: string): TrainerCallback {
  return {
    name: 'training-curves',
    async onFitEnd(trainer) {
      const file = join(runDir, RunFiles.artifacts, CURVES_FILE);
      try {
        const spec = curvesSpec(trainer.history, title);
        if (!spec) return;
        await writeFileAtomic(file, await renderPlot(spec));
      } catch (e) {
        logger.warn(`${file}: the training curves could not be drawn (${(e as Error).message})`);
        return;
      }
      await hub.logArtifact(CURVES_FILE, file);
    },
  };
}

/** Every run with a run folder gets the training-curves callback. */
const perRun = new ContainerModule(({ bind }) => {
  bind(TrainerCallback)
    .toDynamicValue(async (c) => {
      const runDir = c.get<string>(RunDir, { optional: true });
      if (runDir === undefined) return { name: 'training-curves' };
      const config = c.get<ResolvedRunConfig>(RunConfig);
      return trainingCurves(runDir, await c.getAsync<TrackerHub>(Trackers), c.get<Logger>(Logger), `${config.experiment} / ${config.name ?? runDir.split(/[\\/]/).pop()}`);
    })
    .inSingletonScope();
});

/** The runner's own run module: training curves for every run. */
export const trainingCurvesModule = new ContainerModule(({ bind }) => {
  bind(RunModule).toConstantValue(perRun);
});
