import type { Container } from 'inversify';
import type { Dataset } from '../data/dataset.js';
import { ParameterStore } from '../model/parameters.js';
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
export async function createComponent<T>(
  kind: string,
  section: ResolvedSectionConfig,
  deps: BuildDeps,
  params: ParameterStore,
  shape?: ModelShape,
  config?: ResolvedRunConfig,
  dataset?: Dataset,
): Promise<T> {
  const { name, ...options } = section;
  const d = deps.registry.get(kind, name);
  return (await d.create(options, {
    container: deps.container,
    rng: deps.rng,
    logger: deps.logger,
    params,
    shape,
    runDir: deps.runDir,
    config: config as unknown as Record<string, unknown>,
    dataset,
  })) as T;
}

export async function buildDataset(config: ResolvedRunConfig, deps: BuildDeps): Promise<Dataset> {
  return createComponent<Dataset>('dataset', config.data, deps, new ParameterStore('data'), undefined, config);
}

/** The trackers of config.tracking (in order) plus any given ones, behind one hub, outside a run container. */
export async function buildTrackers(config: ResolvedRunConfig, deps: BuildDeps, extra: readonly Tracker[] = []): Promise<TrackerHub> {
  const trackers: Tracker[] = [...extra];
  for (const [name, options] of Object.entries(config.tracking)) {
    if (options === false) continue;
    trackers.push(await createComponent<Tracker>('tracker', { name, ...options }, deps, new ParameterStore('tracker'), undefined, config));
  }
  return new TrackerHub(trackers);
}
