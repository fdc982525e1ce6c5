import type { Container } from 'inversify';
import type { Dataset } from '../data/dataset.js';
import type { Conditioner, Decoder, Divergence, Encoder, Likelihood, Prior, Schedule } from '../model/interfaces.js';
import { ParameterStore } from '../model/parameters.js';
import { VaeModel } from '../model/vae-model.js';
import type { Tracker } from '../tracking/tracker.js';
import { TrackerHub } from '../tracking/tracker-hub.js';
import type { ModelShape } from '../registry/component.js';
import type { ComponentRegistry } from '../registry/component-registry.js';
import type { Logger } from '../runtime/logger.js';
import type { Rng } from '../runtime/rng.js';
import type { ResolvedRunConfig, ResolvedSectionConfig } from './run-config.js';

export interface BuildDeps {
  readonly container: Container;
  readonly registry: ComponentRegistry;
  readonly rng: Rng;
  readonly logger: Logger;
  readonly runDir?: string;
}

/** Creates a component from a resolved section (options already validated, defaults filled in). */
export async function createComponent<T>(kind: string, section: ResolvedSectionConfig, deps: BuildDeps, params: ParameterStore, shape?: ModelShape, config?: ResolvedRunConfig, dataset?: Dataset): Promise<T> {
  const { name, ...options } = section;
  const d = deps.registry.get(kind, name);
  return (await d.create(options, { container: deps.container, rng: deps.rng, logger: deps.logger, params, shape, runDir: deps.runDir, config: config as unknown as Record<string, unknown>, dataset })) as T;
}

export async function buildDataset(config: ResolvedRunConfig, deps: BuildDeps): Promise<Dataset> {
  return createComponent<Dataset>('dataset', config.data, deps, new ParameterStore('data'), undefined, config);
}

/**
 * Builds the model's five words plus the schedule, in dependency order: the likelihood first (it
 * says what the decoder must output), then encoder, decoder, prior and divergence. Parameters are
 * created from the run's `init` stream, so the same seed gives the same initial weights.
 */
export async function buildModel(config: ResolvedRunConfig, dataset: Dataset, deps: BuildDeps): Promise<VaeModel> {
  const root = new ParameterStore();
  const dataShape = dataset.shape;
  const dataDim = dataShape.reduce((a, b) => a * b, 1);
  const base: ModelShape = { dataShape, dataDim, latentDim: config.model.latent, conditionDim: 0, likelihoodParams: [], datasetSize: dataset.train.size };
  const conditioner = config.model.condition ? await createComponent<Conditioner>('condition', config.model.condition, deps, root.scope('condition'), base, config, dataset) : undefined;
  const pre: ModelShape = { ...base, conditionDim: conditioner?.dim ?? 0 };
  const likelihood = await createComponent<Likelihood>('likelihood', config.model.likelihood, deps, root.scope('likelihood'), pre, config);
  const shape: ModelShape = { ...pre, likelihoodParams: likelihood.paramNames };
  const encoder = await createComponent<Encoder>('encoder', config.model.encoder, deps, root.scope('encoder'), shape, config);
  const decoder = await createComponent<Decoder>('decoder', config.model.decoder, deps, root.scope('decoder'), shape, config);
  const prior = await createComponent<Prior>('prior', config.model.prior, deps, root.scope('prior'), shape, config);
  const divergence = await createComponent<Divergence>('divergence', config.model.divergence, deps, root.scope('divergence'), shape, config);
  const schedule = await createComponent<Schedule>('schedule', config.train.schedule, deps, root.scope('schedule'), shape, config);
  return new VaeModel(shape, encoder, decoder, prior, likelihood, divergence, schedule, conditioner);
}

/** The run's trackers (config.tracking, in order) plus any given ones, behind one hub. */
export async function buildTrackers(config: ResolvedRunConfig, deps: BuildDeps, extra: readonly Tracker[] = []): Promise<TrackerHub> {
  const trackers: Tracker[] = [...extra];
  for (const [name, options] of Object.entries(config.tracking)) {
    if (options === false) continue;
    trackers.push(await createComponent<Tracker>('tracker', { name, ...options }, deps, new ParameterStore('tracker'), undefined, config));
  }
  return new TrackerHub(trackers);
}
