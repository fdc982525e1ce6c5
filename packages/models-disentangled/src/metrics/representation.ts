import { ConfigError, validate, type RandomStream } from '@elbo/core';
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
