import { z } from 'zod';
import { ConfigError, opt, validate, type Logger, type Rng } from '@elbo/core';

/**
 * How grey levels in [0,1] become {0,1} pixels:
 * - `none`: keep the grey levels (read as Bernoulli probabilities by a Bernoulli likelihood);
 * - `static`: binarise both splits once at load, from the run's seeded host stream;
 * - `dynamic`: re-binarise every training batch on the backend (`x' = 1[u < x]`, fresh u per batch);
 *   the test split is binarised once with a fixed seed so held-out scores compare across runs.
 */
export const binarizeOption = () =>
  opt
    .oneOf(['none', 'static', 'dynamic'])
    .default('dynamic')
    .describe('none: grey levels; static: binarised once at load; dynamic: every training batch re-binarised (test split once, fixed seed)');
export type BinarizeMode = z.output<ReturnType<typeof binarizeOption>>;

/** Keep only the first N examples of a split (after the split's fixed order), for quick runs. */
export const limitOption = () =>
  z
    .object({
      train: opt.positiveInt().optional(),
      test: opt.positiveInt().optional(),
    })
    .strict()
    .optional()
    .describe('keep only the first N examples of a split: { train: N, test: M }');
export type SplitLimit = z.output<ReturnType<typeof limitOption>>;

/** Validates library-call options with the same messages a config file gets; throws ConfigError. */
export function parseOptions<S extends z.ZodType>(schema: S, value: unknown, prefix: string): z.output<S> {
  const r = validate(schema, value, prefix);
  if (!r.ok) throw ConfigError.of(r.problems);
  return r.value;
}

/** Where library loaders draw randomness and write messages; both optional. */
export interface LoadEnv {
  /** The run's random streams; defaults to `new Rng(0)`. */
  readonly rng?: Rng;
  /** Defaults to a SilentLogger. */
  readonly logger?: Logger;
}
