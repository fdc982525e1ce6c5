import * as tf from '@tensorflow/tfjs-core';
import { type DataSplit, type VaeModel } from '@elbo/core';
import { diagonalPosterior, encodeExamples } from './encode-examples.js';
import { mapBatches, type BatchOptions } from './map-batches.js';

/** Distances one batch may hold at once (rows × reference codes), about 64 MB of float32. */
const PAIRS_AT_ONCE = 1 << 24;

export interface LatentKnnOptions extends BatchOptions {
  /** The k of the k-th nearest neighbour (default 5). */
  readonly neighbours?: number;
}

/**
 * The latent nearest-neighbour score of every row of `split` (higher = less like `reference`):
 * the cosine distance 1 − cos(μ(x), μ(r)) from the row's posterior mean to that of its k-th nearest
 * row r of `reference` — the rows the model was trained on. It is the k-th-neighbour distance of
 * Sun et al. (2022, "Out-of-distribution detection with deep nearest neighbors") with the encoder's
 * posterior means as the normalised features. A likelihood asks whether the decoder can draw x,
 * and a decoder that learned strokes draws digits it never saw (a held-out 1 scores as more normal
 * than the digits it learned); the neighbour distance asks whether the encoder put x where it put
 * the training data. When `split` is `reference` itself each row skips its own code.
 */
export async function latentKnnScores(model: VaeModel, split: DataSplit, reference: DataSplit, opts: LatentKnnOptions = {}): Promise<Float32Array> {
  const k = opts.neighbours ?? 5;
  if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`neighbours: expected a positive integer, got ${k}`);
  const kth = split === reference ? k + 1 : k;
  if (reference.size < kth) throw new RangeError(`the k-th nearest of ${reference.size} reference rows: k = ${k} needs at least ${kth}`);
  const ref = await encodeExamples(model, reference, { batchSize: opts.batchSize });
  const unit = (m: tf.Tensor2D) => tf.div(m, tf.maximum(tf.norm(m, 'euclidean', 1, true), 1e-12));
  const refT = tf.tidy(() => tf.transpose(unit(tf.tensor2d(ref.mean, [ref.n, ref.dim]))));
  try {
    const batchSize = Math.max(1, Math.min(opts.batchSize ?? 100, Math.floor(PAIRS_AT_ONCE / ref.n)));
    return await mapBatches(model, split, 1, { ...opts, batchSize }, (x, c) => {
      const nearest = tf.topk(tf.matMul(unit(diagonalPosterior(model, x, c).mean), refT), kth, true).values;
      return tf.sub(1, tf.reshape(tf.slice(nearest, [0, kth - 1], [x.shape[0], 1]), [x.shape[0]]));
    });
  } finally {
    refT.dispose();
  }
}
