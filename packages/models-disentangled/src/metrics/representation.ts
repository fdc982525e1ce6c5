import { ConfigError, opt, validate, type RandomStream } from '@elbo/core';
import type { z } from 'zod';

/** The representation and ground-truth data a metric reads are core's (shared with `elbo eval`). */
export type { Representation, GroundTruthData } from '@elbo/core';
export { groundTruthData } from '@elbo/core';
import type { Representation, GroundTruthData } from '@elbo/core';

/** Named scores; keys are stable per metric (see METRICS.md). */
export type MetricScores = Record<string, number>;

/**
 * A metric bound to its options, as `metric/<name>` components create it: the one shared signature
 * `(representation, data, rng) → scores`. All randomness comes from `rng`, so a metric is repeatable
 * from its stream.
 */
export type Metric = (rep: Representation, data: GroundTruthData, rng: RandomStream) => Promise<MetricScores>;

/** Validates library-call options with the messages a config gets; throws ConfigError. */
export function parseMetricOptions<S extends z.ZodType>(schema: S, value: unknown, prefix: string): z.output<S> {
  const r = validate(schema, value ?? {}, prefix);
  if (!r.ok) throw ConfigError.of(r.problems);
  return r.value;
}

/**
 * A metric's library call `(rep, data, rng, options?)` from its pure body: validates the options as a
 * config's (messages prefixed by `name`; a bad option rejects the promise), draws the metric's one
 * uniform generator from `rng`, and runs `score` on the parsed options.
 */
export function metricFunction<S extends z.ZodType>(
  name: string,
  schema: S,
  score: (rep: Representation, data: GroundTruthData, o: z.output<S>, u: () => number) => Promise<MetricScores>,
): (rep: Representation, data: GroundTruthData, rng: RandomStream, options?: z.input<S>) => Promise<MetricScores> {
  return async (rep, data, rng, options) => score(rep, data, parseMetricOptions(schema, options, name), rng.nextGenerator());
}

/**
 * Options shared by the metrics that draw examples: sample sizes defaulting to disentanglement_lib's
 * study (10,000 to fit on, 5,000 to evaluate on), and the batch of representation calls.
 */
export const sampleSizeOptions = {
  train: (what: string) => opt.positiveInt().default(10000).describe(what),
  evaluate: (what: string) => opt.positiveInt().default(5000).describe(what),
  encodeBatch: (what = 'examples per representation call') => opt.positiveInt().default(256).describe(`${what} (does not change the score)`),
};
