import { ContainerModule } from 'inversify';
import { Logger, Model, RunConfig, RunModule, TrainingStrategy, type ResolvedRunConfig, type VaeModel } from '@elbo/core';
import { chooseStrategy } from './data-parallel-strategy.js';
import type { WorkerSetup } from './protocol.js';

/**
 * The package's ContainerModule: every run's `TrainingStrategy` becomes the one `train.workers`
 * asks for. `setup` says how a worker thread rebuilds the run's registry (a module and the export
 * that returns `{ container, registry }` for a config) — the runner passes its own.
 */
export function dataParallelModule(setup: WorkerSetup): ContainerModule {
  const perRun = new ContainerModule(({ rebind }) => {
    rebind<TrainingStrategy>(TrainingStrategy)
      .toDynamicValue(async (c) => chooseStrategy(c.get<ResolvedRunConfig>(RunConfig), await c.getAsync<VaeModel>(Model), c.get<Logger>(Logger), setup))
      .inSingletonScope();
  });
  return new ContainerModule(({ bind }) => {
    bind(RunModule).toConstantValue(perRun);
  });
}
