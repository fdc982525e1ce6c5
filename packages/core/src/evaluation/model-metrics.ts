import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../config/config-error.js';
import { DiagonalGaussian } from '../distributions/diagonal-gaussian.js';
import type { DataSplit, GroundTruthFactors } from '../data/dataset.js';
import type { VaeModel } from '../model/vae-model.js';
import type { RandomStream } from '../runtime/rng.js';

/**
 * What an evaluation metric measures: a map from a batch of inputs (count × dim, row-major) to
 * their codes (count × code size) — the means of q(z|x) for a VAE. `posterior`, when present,
 * gives q(z|x) itself (means and log-variances).
 */
export interface Representation {
  (inputs: Float32Array, count: number): Promise<Float32Array>;
  readonly posterior?: (inputs: Float32Array, count: number) => Promise<{ readonly mean: Float32Array; readonly logVar: Float32Array }>;
}

/** A split that knows the ground-truth factors of its examples. */
export interface GroundTruthData extends DataSplit {
  readonly factors: GroundTruthFactors;
}

/**
 * What a `metric/<name>` component creates: the metric bound to its options. All randomness comes
 * from `rng`, so a metric is repeatable from its stream. Keys of the result are the metric's scores.
 */
export type EvaluationMetric = (rep: Representation, data: GroundTruthData, rng: RandomStream) => Promise<Record<string, number>>;

/** The split as GroundTruthData, or a ConfigError naming `where`. */
export function groundTruthData(split: DataSplit, where = 'data'): GroundTruthData {
  if (!split.factors) throw new ConfigError(`${where}: disentanglement metrics need a dataset with ground-truth factors (e.g. dsprites); this split has none`);
  return split as GroundTruthData;
}

/**
 * A trained (unconditional) model as a Representation: posterior means (and log-variances) of
 * each batch, computed inside a tidy and read back asynchronously.
 */
export function modelRepresentation(model: VaeModel): Representation {
  if (model.conditioner) throw new ConfigError('disentanglement metrics need an unconditional model');
  const D = model.shape.dataDim;
  const encode = async (inputs: Float32Array, count: number) => {
    const [mean, logVar] = tf.tidy(() => {
      const q = model.encode(tf.tensor2d(inputs.subarray(0, count * D), [count, D]));
      if (!(q instanceof DiagonalGaussian)) throw new ConfigError('disentanglement metrics read μ and log σ², and model.posterior is not a diagonal Gaussian');
      return [tf.clone(q.mean), tf.clone(q.logVar)];
    });
    try {
      return { mean: (await mean!.data()) as Float32Array, logVar: (await logVar!.data()) as Float32Array };
    } finally {
      tf.dispose([mean!, logVar!]);
    }
  };
  const rep = (async (inputs: Float32Array, count: number) => (await encode(inputs, count)).mean) as Representation;
  return Object.assign(rep, { posterior: encode });
}
