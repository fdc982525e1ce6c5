import type { z } from 'zod';
import { defineComponent, type ComponentDescriptor, type Dataset } from '@elbo/core';
import type { LoadEnv } from './dataset-options.js';

/** What a loader may read from the run besides its options: streams, logger, and the run's folder. */
export type RunLoadEnv = LoadEnv & { readonly runDir?: string };

/**
 * `dataset/<name>`: the library loader `load(options, env)` as a component. The registry validates
 * the options against `options`; the loader gets the run's random streams, logger and folder.
 */
export function datasetComponent<S extends z.ZodType>(
  name: string,
  summary: string,
  options: S,
  load: (options: z.output<S>, env: RunLoadEnv) => Promise<Dataset>,
): ComponentDescriptor<Promise<Dataset>, S> {
  return defineComponent<Promise<Dataset>, S>({ kind: 'dataset', name, summary, options, create: (o, ctx) => load(o, { rng: ctx.rng, logger: ctx.logger, runDir: ctx.runDir }) });
}
