import * as tf from '@tensorflow/tfjs-core';
import { type DataSplit, type VaeModel, type RandomStream, elboTerms, importanceWeighted } from '@elbo/core';
import { mapBatches, passOf, rowsOf, type BatchOptions } from './map-batches.js';
import { pngBits } from './png-bits.js';
import { latentKnnScores } from './latent-knn.js';

/** The anomaly scores a trained model gives; higher means less like the training data. */
export const SCORE_KINDS = ['neg-elbo', 'iwae', 'recon', 'complexity', 'likelihood-ratio', 'latent-knn', 'posterior-knn'] as const;
export type ScoreKind = (typeof SCORE_KINDS)[number];

export interface ScoreOptions extends BatchOptions {
  readonly score: ScoreKind;
  /** Importance samples for `iwae`, `complexity` and `likelihood-ratio` (default 100); ignored by the others. */
  readonly k?: number;
  /** `likelihood-ratio`: the background model, trained on perturbed data (Ren et al. 2019). */
  readonly background?: VaeModel;
  /** `latent-knn`, `posterior-knn`: the rows the model was trained on, whose codes are the neighbours. */
  readonly reference?: DataSplit;
  /** `latent-knn`, `posterior-knn`: the k of the k-th nearest neighbour (default 5). */
  readonly neighbours?: number;
}

/** The scores built on the k-sample estimate of −log p(x), whose id carries k. */
export const SCORES_WITH_K: readonly ScoreKind[] = ['iwae', 'complexity', 'likelihood-ratio'];

/** The scores that compare a row's code with its nearest training codes, whose id carries the neighbour's k. */
export const NEIGHBOUR_SCORES: readonly ScoreKind[] = ['latent-knn', 'posterior-knn'];

/** A score's name with its parameter, as stored with a threshold: `neg-elbo`, `iwae-k100`, `recon`, `complexity-k100`, `latent-knn-n5`… */
export function scoreId(score: ScoreKind, k = 100, neighbours = 5): string {
  if (NEIGHBOUR_SCORES.includes(score)) return `${score}-n${neighbours}`;
  return SCORES_WITH_K.includes(score) ? `${score}-k${k}` : score;
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
 * - `complexity`: −log₂ p̂(x) − L(x) in bits, the input-complexity-corrected likelihood of Serrà et
 *   al. (2020): the IWAE estimate in bits minus the length of x as a lossless PNG (`pngBits`). A
 *   simple input (few lit pixels) is likely under any model and also compresses well; the
 *   difference keeps only what the model explains worse than a generic compressor does.
 * - `likelihood-ratio`: −log p̂_θ(x) + log p̂_θ₀(x) in nats (Ren et al. 2019): the IWAE estimate under
 *   the model minus the one under `background`, a model of the same data trained on perturbed
 *   inputs (`data.corrupt: { …, target: corrupted }`) that captures the population-level statistics
 *   (background, stroke density) both share, so the ratio keeps the semantic part.
 * - `latent-knn`: the cosine distance from the row's posterior mean to its `neighbours`-th nearest
 *   among the codes of `reference`, the training rows (`latentKnnScores`, Sun et al. 2022): whether
 *   the encoder puts x where it put the training data, rather than whether the decoder can draw it.
 * - `posterior-knn`: the same with the whole posterior as the features, μ(x) and log σ(x) side by
 *   side: also whether the encoder is as sure of x as of the training rows near it.
 *
 * Every batch draws two seeds from `rng` — the ELBO's, then the importance samples' — exactly as
 * `evaluate` does, so on a stream in the same position with the same batch size the mean score
 * is `evaluate`'s `negElbo` (`iwae`), and a fixed stream gives the same scores.
 */
export async function scoreExamples(model: VaeModel, split: DataSplit, rng: RandomStream, opts: ScoreOptions): Promise<Float32Array> {
  const k = opts.k ?? 100;
  if (SCORES_WITH_K.includes(opts.score) && !(Number.isInteger(k) && k >= 1)) throw new RangeError(`k: expected a positive integer, got ${k}`);
  if (opts.score === 'complexity') {
    const nll = await scoreExamples(model, split, rng, { ...opts, score: 'iwae' });
    const rows = new Float32Array(nll.length * split.dim);
    split.read(
      Int32Array.from({ length: nll.length }, (_, i) => i),
      rows,
    );
    const bits = pngBits(rows, model.shape.dataShape);
    return nll.map((v, i) => v / Math.LN2 - bits[i]!);
  }
  if (NEIGHBOUR_SCORES.includes(opts.score)) {
    if (!opts.reference) throw new RangeError(`the ${opts.score} score needs the reference rows (the training split)`);
    return latentKnnScores(model, split, opts.reference, { ...opts, features: opts.score === 'posterior-knn' ? 'posterior' : 'mean' });
  }
  if (opts.score === 'likelihood-ratio') {
    const bg = opts.background;
    if (!bg) throw new RangeError('the likelihood-ratio score needs a background model');
    if (bg.shape.dataDim !== model.shape.dataDim) throw new RangeError(`the background model takes ${bg.shape.dataDim} values per row, the model ${model.shape.dataDim}`);
    // Two passes over the rows, the model's then the background's; progress counts both.
    const n = rowsOf(split, opts);
    const nll = await scoreExamples(model, split, rng, { ...passOf(opts, 0, 2 * n), score: 'iwae' });
    const nllBg = await scoreExamples(bg, split, rng, { ...passOf(opts, n, 2 * n), score: 'iwae' });
    return nll.map((v, i) => v - nllBg[i]!);
  }
  return mapBatches(model, split, 1, opts, (x, c) => {
    const seedElbo = rng.nextSeed();
    const seedIw = rng.nextSeed();
    if (opts.score === 'recon') return tf.sum(tf.square(tf.sub(x, model.reconstruct(x, c))), -1);
    const q = model.encode(x, c);
    if (opts.score === 'iwae') return tf.neg(importanceWeighted(model, x.shape[0], () => ({ x, c, q }), k, seedIw));
    const { logPx, kl } = elboTerms(model, { x, c, q }, seedElbo);
    return tf.sub(kl, logPx);
  });
}
