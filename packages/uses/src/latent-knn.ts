import * as tf from '@tensorflow/tfjs-core';
import { type DataSplit, type DiagonalGaussian, type VaeModel } from '@elbo/core';
import { diagonalPosterior } from './encode-examples.js';
import { mapBatches, passOf, rowsOf, type BatchOptions } from './map-batches.js';

/** Distances one batch may hold at once (rows × reference codes), about 64 MB of float32. */
const PAIRS_AT_ONCE = 1 << 24;

/**
 * What the neighbour distance compares: `mean`, the posterior means μ(x) (L values); `posterior`,
 * the whole of what the encoder outputs, μ(x) next to log σ(x) (2L values).
 */
export type KnnFeatures = 'mean' | 'posterior';

export interface LatentKnnOptions extends BatchOptions {
  /** The k of the k-th nearest neighbour (default 5). */
  readonly neighbours?: number;
  /** The features the cosine distance compares (default `mean`). */
  readonly features?: KnnFeatures;
}

/**
 * The latent nearest-neighbour score of every row of `split` (higher = less like `reference`):
 * the cosine distance 1 − cos(f(x), f(r)) from the row's features to those of its k-th nearest
 * row r of `reference` — the rows the model was trained on. It is the k-th-neighbour distance of
 * Sun et al. (2022, "Out-of-distribution detection with deep nearest neighbors") with the encoder's
 * output as the normalised features: the posterior means, or (`features: 'posterior'`) the means
 * with the log standard deviations beside them, so that how sure the encoder is counts as well
 * as where it puts x. A likelihood asks whether the decoder can draw x, and a decoder that learned
 * strokes draws digits it never saw (a held-out 1 scores as more normal than the digits it
 * learned); the neighbour distance asks whether the encoder treated x as it treated the training
 * data. When `split` is `reference` itself each row skips its own code.
 */
export async function latentKnnScores(model: VaeModel, split: DataSplit, reference: DataSplit, opts: LatentKnnOptions = {}): Promise<Float32Array> {
  const k = opts.neighbours ?? 5;
  if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`neighbours: expected a positive integer, got ${k}`);
  const kth = split === reference ? k + 1 : k;
  if (reference.size < kth) throw new RangeError(`the k-th nearest of ${reference.size} reference rows: k = ${k} needs at least ${kth}`);
  const posterior = opts.features === 'posterior';
  const width = (posterior ? 2 : 1) * model.shape.latentDim;
  const features = (q: DiagonalGaussian): tf.Tensor2D => (posterior ? tf.concat([q.mean, tf.mul<tf.Tensor2D>(q.logVar, 0.5)], 1) : q.mean);
  const unit = (m: tf.Tensor2D) => tf.div(m, tf.maximum(tf.norm(m, 'euclidean', 1, true), 1e-12));
  // Progress counts the reference rows encoded first, then the scored rows.
  const total = reference.size + rowsOf(split, opts);
  const ref = await mapBatches(model, reference, width, passOf({ batchSize: opts.batchSize, onProgress: opts.onProgress }, 0, total), (x, c) =>
    unit(features(diagonalPosterior(model, x, c))),
  );
  const refT = tf.tidy(() => tf.transpose(tf.tensor2d(ref, [reference.size, width])));
  try {
    const batchSize = Math.max(1, Math.min(opts.batchSize ?? 100, Math.floor(PAIRS_AT_ONCE / reference.size)));
    return await mapBatches(model, split, 1, passOf({ ...opts, batchSize }, reference.size, total), (x, c) => {
      const nearest = tf.topk(tf.matMul(unit(features(diagonalPosterior(model, x, c))), refT), kth, true).values;
      return tf.sub(1, tf.reshape(tf.slice(nearest, [0, kth - 1], [x.shape[0], 1]), [x.shape[0]]));
    });
  } finally {
    refT.dispose();
  }
}
