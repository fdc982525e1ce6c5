import { join } from 'node:path';
import type { Container } from 'inversify';
import { ConfigError } from '../config/config-error.js';
import { Dataset } from '../data/dataset.js';
import type { VaeModel } from '../model/vae-model.js';
import type { ComponentRegistry } from '../registry/component-registry.js';
import { selectBackend, type BackendChoice, type BackendPreference } from '@elbo/compute';
import type { Logger } from '../runtime/logger.js';
import type { MetricPoint } from '../tracking/tracker.js';
import { RngToken, type Rng } from '../runtime/rng.js';
import { hasCheckpoint, loadCheckpoint } from '../training/checkpoint.js';
import { createRunContainer, Model } from './run-container.js';
import { resolveConfig } from './resolve-config.js';
import type { ResolvedRunConfig } from './run-config.js';
import { readRunConfig, RunFiles } from './run-folder.js';

export interface OpenRun {
  readonly runDir: string;
  readonly config: ResolvedRunConfig;
  readonly backend: BackendChoice;
  readonly dataset: Dataset;
  readonly model: VaeModel;
  readonly rng: Rng;
  /** Epochs the loaded weights were trained for. */
  readonly epoch: number;
  /** The metric record saved with the weights: per-epoch history, then the evaluations after training. */
  readonly history: readonly MetricPoint[];
  dispose(): void;
}

/**
 * Reopens a finished (or interrupted) run for evaluation or sampling: its saved config, its dataset,
 * the model rebuilt from the same components, and the weights of its last checkpoint.
 */
export async function openRun(runDir: string, deps: { container: Container; registry: ComponentRegistry; logger: Logger; backend?: BackendPreference }): Promise<OpenRun> {
  const config = resolveConfig(await readRunConfig(runDir), deps.registry, join(runDir, RunFiles.config));
  const checkpointDir = join(runDir, RunFiles.checkpoint);
  if (!(await hasCheckpoint(checkpointDir))) throw new ConfigError(`${runDir}: the run has no checkpoint yet (it stopped before its first epoch ended)`);
  const backend = await selectBackend(deps.backend ?? config.backend);
  deps.logger.info(backend.reason);
  const run = createRunContainer(deps.container, { config, logger: deps.logger, runDir, registry: deps.registry });
  const dataset = await run.getAsync<Dataset>(Dataset);
  const model = await run.getAsync<VaeModel>(Model);
  const rng = run.get<Rng>(RngToken);
  const ck = await loadCheckpoint(checkpointDir, { note: (m) => deps.logger.warn(m) }).catch((e: unknown) => {
    model.dispose();
    throw e;
  });
  try {
    for (const [name, v] of model.parameters()) {
      const t = ck.tensors.get(`param/${name}`);
      if (!t) throw new Error(`${checkpointDir}: no weights for parameter "${name}"`);
      v.assign(t);
    }
  } finally {
    for (const t of ck.tensors.values()) t.dispose();
  }
  return { runDir, config, backend, dataset, model, rng, epoch: ck.epoch, history: [...ck.history, ...ck.evaluations], dispose: () => model.dispose() };
}
