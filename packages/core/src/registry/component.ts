import type { z } from 'zod';
import type { Container } from 'inversify';
import type { Logger } from '../runtime/logger.js';
import type { Rng } from '../runtime/rng.js';
import type { ParameterStore } from '../model/parameters.js';

/** The kinds of component a config can name. */
export type ComponentKind = 'encoder' | 'decoder' | 'prior' | 'likelihood' | 'divergence' | 'schedule' | 'dataset' | 'tracker' | 'condition' | (string & {});

/** Shapes the model components are built for; filled in by core before any model component is created. */
export interface ModelShape {
  /** One example's shape, e.g. [28, 28, 1]. */
  readonly dataShape: readonly number[];
  /** Product of dataShape. */
  readonly dataDim: number;
  readonly latentDim: number;
  /** Width of the condition vector for conditional models; 0 when unconditional. */
  readonly conditionDim: number;
  /** What the decoder must output for the chosen likelihood (`['logits']`, `['mean', 'logScale']`…). */
  readonly likelihoodParams: readonly string[];
  /** Examples in the training split (needed by β-TCVAE). */
  readonly datasetSize: number;
  /** The largest batch the model sees (train or evaluation), when a run builds it: bounds activations. */
  readonly batchSize?: number;
}

/** What a component factory receives besides its validated options. */
export interface BuildContext {
  readonly container: Container;
  readonly rng: Rng;
  readonly logger: Logger;
  /** Where the component creates its trainable variables (already scoped to its kind). */
  readonly params: ParameterStore;
  /** Present for model components (encoder, decoder, prior, likelihood, divergence). */
  readonly shape?: ModelShape;
  /** Folder of the current run, when there is one (trackers, datasets with caches). */
  readonly runDir?: string;
  /** The run's dataset, for components that depend on it (conditioners read its classes). */
  readonly dataset?: import('../data/dataset.js').Dataset;
  /** The resolved config of the whole run (read-only), for components that record it. */
  readonly config?: Readonly<Record<string, unknown>>;
}

/**
 * A component: a named, documented, validated factory. Every package lists its components in a
 * manifest and binds that manifest in its single ContainerModule; the registry resolves names.
 */
export interface ComponentDescriptor<T = unknown, S extends z.ZodType = z.ZodType> {
  readonly kind: ComponentKind;
  readonly name: string;
  /** One line a researcher reads in `elbo components`. */
  readonly summary: string;
  /** Options schema (zod); defaults are filled in by validation. */
  readonly options: S;
  create(options: z.output<S>, ctx: BuildContext): T | Promise<T>;
}

/** Helper that keeps the options type tied to the schema. */
export function defineComponent<T, S extends z.ZodType>(d: ComponentDescriptor<T, S>): ComponentDescriptor<T, S> {
  return d;
}

export type ComponentManifest = readonly ComponentDescriptor<unknown, z.ZodType>[];

/** Token under which each package binds its manifest (multi-injection). */
export const ComponentContribution = Symbol('ComponentContribution');
