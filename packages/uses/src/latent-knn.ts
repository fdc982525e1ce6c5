import * as tf from '@tensorflow/tfjs-core';
import { type DataSplit, type VaeModel } from '@elbo/core';
import { encodeExamples } from './encode-examples.js';
import { type BatchOptions } from './map-batches.js';

/** Distances one comparison may hold at once (rows × reference codes), about 64 MB of float32. */
const PAIRS_AT_ONCE = 1 << 24;

export interface LatentKnnOptions extends BatchOptions {
  /** The k of the k-th nearest neighbour (default 5). */
  readonly neighbours?: number;
  /** Called while the reference rows are encoded, with (rows done, total). */
  readonly onReference?: (done: number, total: number) => void;
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
  const self = split === reference;
  const kth = self ? k + 1 : k;
  if (reference.size < kth) throw new RangeError(`the k-th nearest of ${reference.size} reference rows: k = ${k} needs at least ${kth}`);
  const ref = await encodeExamples(model, reference, { batchSize: opts.batchSize, onProgress: opts.onReference });
  const rows = self ? ref : await encodeExamples(model, split, { batchSize: opts.batchSize, limit: opts.limit });
  const L = ref.dim;
  const unit = (m: tf.Tensor2D) => tf.div(m, tf.maximum(tf.norm(m, 'euclidean', 1, true), 1e-12));
  const refT = tf.tidy(() => tf.transpose(unit(tf.tensor2d(ref.mean, [ref.n, L]))));
  try {
    const n = Math.min(rows.n, opts.limit ?? rows.n);
    const B = Math.max(1, Math.min(Math.floor(PAIRS_AT_ONCE / ref.n), n));
    const out = new Float32Array(n);
    for (let start = 0; start < n; start += B) {
      const b = Math.min(B, n - start);
      const d = tf.tidy(() => {
        const sim = tf.matMul(unit(tf.tensor2d(rows.mean.subarray(start * L, (start + b) * L), [b, L])), refT);
        const nearest = tf.topk(sim, kth, true).values;
        return tf.sub(1, tf.reshape(tf.slice(nearest, [0, kth - 1], [b, 1]), [b]));
      });
      try {
        out.set((await d.data()) as Float32Array, start);
      } finally {
        d.dispose();
      }
      opts.onProgress?.(start + b, n);
    }
    return out;
  } finally {
    refT.dispose();
  }
}
