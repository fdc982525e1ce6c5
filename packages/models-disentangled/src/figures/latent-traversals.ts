import * as tf from '@tensorflow/tfjs-core';
import { encodeImageGrid, type Dataset, type Figure, type VaeModel } from '@elbo/core';

export interface LatentTraversalOptions {
  /** Test images to traverse: the first `images` of the test split (default 3). */
  readonly images?: number;
  /** Values of each sweep, evenly spaced over `range` (default 10). */
  readonly steps?: number;
  /** The values a swept dimension takes, in prior standard deviations (default [−3, 3]). */
  readonly range?: readonly [number, number];
  /** Test examples whose posteriors rank the dimensions (default 1000, or the whole split if smaller). */
  readonly rankExamples?: number;
  /** Examples per encode/decode call (default 100). */
  readonly batchSize?: number;
}

/** The dimensions ranked, and by what. */
export interface TraversalOrder {
  /** Latent dimensions, most informative first. */
  readonly order: readonly number[];
  /** The score of every dimension (indexed by dimension). */
  readonly score: readonly number[];
  /** `kl`: mean KL(q(z_d|x) ‖ p(z_d)) (Gaussian prior); `mean-variance`: variance of the posterior means. */
  readonly measure: 'kl' | 'mean-variance';
}

function imageShape(dataset: Dataset): [number, number, number] | undefined {
  const s = dataset.shape;
  if (s.length === 3 && (s[2] === 1 || s[2] === 3)) return [s[0]!, s[1]!, s[2]!];
  if (s.length === 2) return [s[0]!, s[1]!, 1];
  return undefined;
}

function readTest(dataset: Dataset, from: number, n: number): tf.Tensor2D {
  const D = dataset.test.dim;
  const buf = new Float32Array(n * D);
  dataset.test.read(
    Int32Array.from({ length: n }, (_, i) => from + i),
    buf,
  );
  return tf.tensor2d(buf, [n, D]);
}

/**
 * Ranks the latent dimensions by their mean KL(q(z_d|x) ‖ p(z_d)) over the first `rankExamples` test
 * examples (descending; ties by index). For a prior without a closed-form Gaussian (`prior.gaussian`
 * false) the rank is by the variance of the posterior means across those examples instead (Burda et
 * al.'s activity statistic). Sums stay on the device; one read-back at the end.
 */
export async function traversalOrder(model: VaeModel, dataset: Dataset, rankExamples = 1000, batchSize = 100): Promise<TraversalOrder> {
  const n = Math.min(rankExamples, dataset.test.size);
  if (n < 1) throw new Error('latent traversals: the test split is empty');
  const L = model.shape.latentDim;
  const byKl = model.prior.gaussian;
  let acc = tf.zeros([byKl ? 1 : 2, L]);
  for (let from = 0; from < n; from += batchSize) {
    const b = Math.min(batchSize, n - from);
    const next = tf.tidy(() => {
      const q = model.encode(readTest(dataset, from, b));
      const rows = byKl ? [tf.sum(q.klPerDim(model.prior.distribution(b)), 0)] : [tf.sum(q.mean, 0), tf.sum(tf.square(q.mean), 0)];
      return tf.add(acc, tf.stack(rows));
    });
    acc.dispose();
    acc = next;
  }
  const v = (await acc.data()) as Float32Array;
  acc.dispose();
  const score = Array.from({ length: L }, (_, d) => (byKl ? v[d]! / n : v[L + d]! / n - (v[d]! / n) ** 2));
  const order = Array.from({ length: L }, (_, d) => d).sort((a, b) => score[b]! - score[a]! || a - b);
  return { order, score, measure: byKl ? 'kl' : 'mean-variance' };
}

/**
 * Latent traversals as one PNG grid: for each of the first `images` test images, every latent
 * dimension in turn is swept over `range` (absolute values, `steps` of them) while the other
 * dimensions stay at the image's posterior mean, and the swept codes are decoded to the likelihood's
 * mean. One row per latent dimension, rows ordered by `traversalOrder` (KL descending); in each row,
 * for every image, the test image itself and then its sweep. Returns undefined for non-image data and
 * conditional models (which would need a condition per image).
 */
export async function latentTraversals(model: VaeModel, dataset: Dataset, opts: LatentTraversalOptions = {}): Promise<Uint8Array | undefined> {
  const shape = imageShape(dataset);
  if (!shape || model.shape.conditionDim > 0) return undefined;
  const steps = opts.steps ?? 10;
  const [lo, hi] = opts.range ?? [-3, 3];
  const batchSize = opts.batchSize ?? 100;
  const n = Math.min(opts.images ?? 3, dataset.test.size);
  if (!(Number.isInteger(steps) && steps >= 2)) throw new Error(`latent traversals: steps must be an integer ≥ 2, got ${steps}`);
  if (n < 1) return undefined;
  const L = model.shape.latentDim;
  const { order } = await traversalOrder(model, dataset, opts.rankExamples ?? 1000, batchSize);

  const x = readTest(dataset, 0, n);
  const mean = tf.tidy(() => model.encode(x).mean);
  const [inputs, mu] = await Promise.all([x.data() as Promise<Float32Array>, mean.data() as Promise<Float32Array>]);
  tf.dispose([x, mean]);

  // Codes row by row: dimension order[r], image i, step s.
  const total = L * n * steps;
  const codes = new Float32Array(total * L);
  let row = 0;
  for (const d of order) {
    for (let i = 0; i < n; i++) {
      for (let s = 0; s < steps; s++, row++) {
        codes.set(mu.subarray(i * L, (i + 1) * L), row * L);
        codes[row * L + d] = lo + ((hi - lo) * s) / (steps - 1);
      }
    }
  }
  const D = dataset.test.dim;
  const decoded = new Float32Array(total * D);
  for (let from = 0; from < total; from += batchSize) {
    const b = Math.min(batchSize, total - from);
    const out = tf.tidy(() => model.decodeMean(tf.tensor2d(codes.subarray(from * L, (from + b) * L), [b, L])));
    decoded.set((await out.data()) as Float32Array, from * D);
    out.dispose();
  }

  const cells: Float32Array[] = [];
  for (let r = 0, k = 0; r < L; r++) {
    for (let i = 0; i < n; i++) {
      cells.push(inputs.subarray(i * D, (i + 1) * D));
      for (let s = 0; s < steps; s++, k++) cells.push(decoded.subarray(k * D, (k + 1) * D));
    }
  }
  return encodeImageGrid(cells, { shape, cols: n * (steps + 1) });
}

/** `latent-traversals.png` as a run figure (none for non-image data or conditional models). */
export async function latentTraversalFigures(model: VaeModel, dataset: Dataset, opts: LatentTraversalOptions = {}): Promise<Figure[]> {
  const png = await latentTraversals(model, dataset, opts);
  return png ? [{ file: 'latent-traversals.png', png }] : [];
}
