import { ConfigError, validate, type DataSplit, type GroundTruthFactors, type RandomStream } from '@elbo/core';
import type { z } from 'zod';

/**
 * What a disentanglement metric measures: a map from a batch of inputs to their codes.
 *
 * Called with `count` examples flattened row-major in `inputs` (count × the split's `dim` values), it
 * resolves to their codes row-major (count × code size): the means of q(z|x) for a VAE. The code size
 * is read from the first call (`codes.length / count`) and must stay the same. The input buffer is
 * reused between calls: copy it if you keep it.
 *
 * `posterior`, when present, gives q(z|x) as a diagonal Gaussian (means and log-variances, each
 * count × code size) — only MIG's `chen` estimator needs it.
 */
export interface Representation {
  (inputs: Float32Array, count: number): Promise<Float32Array>;
  readonly posterior?: (inputs: Float32Array, count: number) => Promise<{ readonly mean: Float32Array; readonly logVar: Float32Array }>;
}

/** A data split that knows the ground-truth factors of its examples (dSprites' splits, for instance). */
export interface GroundTruthData extends DataSplit {
  readonly factors: GroundTruthFactors;
}

/** Named scores; keys are stable per metric (see METRICS.md). */
export type MetricScores = Record<string, number>;

/**
 * A metric bound to its options, as `metric/<name>` components create it: the one shared signature
 * `(representation, data, rng) → scores`. All randomness comes from `rng`, so a metric is repeatable
 * from its stream.
 */
export type Metric = (rep: Representation, data: GroundTruthData, rng: RandomStream) => Promise<MetricScores>;

/** The split as GroundTruthData; a split without factors is a ConfigError naming `where`. */
export function groundTruthData(split: DataSplit, where = 'data'): GroundTruthData {
  if (!split.factors) {
    throw new ConfigError(`${where}: disentanglement metrics need a dataset with ground-truth factors (e.g. dsprites); this split has none`);
  }
  return split as GroundTruthData;
}

/** Validates library-call options with the messages a config gets; throws ConfigError. */
export function parseMetricOptions<S extends z.ZodType>(schema: S, value: unknown, prefix: string): z.output<S> {
  const r = validate(schema, value ?? {}, prefix);
  if (!r.ok) throw ConfigError.of(r.problems);
  return r.value;
}
