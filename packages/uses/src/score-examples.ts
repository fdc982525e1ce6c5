import * as tf from '@tensorflow/tfjs-core';
import { type DataSplit, type VaeModel, type RandomStream, elboTerms, importanceWeighted } from '@elbo/core';
import { mapBatches, type BatchOptions } from './map-batches.js';

/** The anomaly scores a trained model gives; higher means less like the training data. */
export const SCORE_KINDS = ['neg-elbo', 'iwae', 'recon'] as const;
export type ScoreKind = (typeof SCORE_KINDS)[number];

export interface ScoreOptions extends BatchOptions {
  readonly score: ScoreKind;
  /** Importance samples for `iwae` (default 100); ignored by the other scores. */
  readonly k?: number;
}

/** A score's name with its parameter, as stored with a threshold: `neg-elbo`, `iwae-k100`, `recon`. */
export function scoreId(score: ScoreKind, k = 100): string {
  return score === 'iwae' ? `iwae-k${k}` : score;
}

/**
 * Anomaly score of every row of `split` (in nats for the first two, higher = more anomalous):
 *
 * - `neg-elbo`: −ELBO(x) = −log p(x|z) + KL(q(z|x) ‖ p(z)) with one reparameterised z ~ q(z|x) per
 *   row and the KL in closed form for a Gaussian prior — the per-example terms `evaluate` averages
 *   (core's `elboTerms`), so the mean of these scores over the test split is `elbo eval`'s number.
 * - `iwae`: −log p̂(x), the k-sample importance-weighted estimate of Burda et al. (2016, eq. 8)
 *   (core's `importanceWeighted`); tighter than −ELBO, k times the decoder work.
 * - `recon`: reconstruction error alone, Σ_d (x_d − x̂_d)² with x̂ = E[x | z = μ(x)], the
 *   likelihood's mean of the decoded posterior mean (deterministic; no KL, no sampling).
 *
 * Every batch draws two seeds from `rng` — the ELBO's, then the importance samples' — exactly as
 * `evaluate` does, so on a stream in the same position with the same batch size the mean score
 * is `evaluate`'s `negElbo` (`iwae`), and a fixed stream gives the same scores.
 */
export async function scoreExamples(model: VaeModel, split: DataSplit, rng: RandomStream, opts: ScoreOptions): Promise<Float32Array> {
  const k = opts.k ?? 100;
  if (opts.score === 'iwae' && !(Number.isInteger(k) && k >= 1)) throw new RangeError(`k: expected a positive integer, got ${k}`);
  return mapBatches(model, split, 1, opts, (x, c) => {
    const seedElbo = rng.nextSeed();
    const seedIw = rng.nextSeed();
    if (opts.score === 'recon') return tf.sum(tf.square(tf.sub(x, model.reconstruct(x, c))), -1);
    const q = model.encode(x, c);
    if (opts.score === 'iwae') return tf.neg(importanceWeighted(model, x, c, q, k, seedIw));
    const { logPx, kl } = elboTerms(model, x, c, q, seedElbo);
    return tf.sub(kl, logPx);
  });
}
