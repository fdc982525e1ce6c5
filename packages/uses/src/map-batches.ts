import * as tf from '@tensorflow/tfjs-core';
import { type DataSplit, type Condition, type VaeModel } from '@elbo/core';

/** How a use of a trained model walks over its input rows. */
export interface BatchOptions {
  /** Rows per forward pass (default 100). */
  readonly batchSize?: number;
  /** Use the first `limit` rows only. */
  readonly limit?: number;
  /** Called after each batch with (rows done, total). */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * `opts` for one pass of work done in several: its progress reports `before` + the pass's rows out
 * of `total`, so that a score that walks over two sets of rows counts up once.
 */
export function passOf(opts: BatchOptions, before: number, total: number): BatchOptions {
  const report = opts.onProgress;
  return { ...opts, onProgress: report && ((done) => report(before + done, total)) };
}

/** The rows `mapBatches` walks: all of `split`, or its first `limit`. */
export function rowsOf(split: DataSplit, opts: BatchOptions): number {
  return Math.min(split.size, opts.limit ?? split.size);
}

/**
 * Runs `fn` over the rows of `split` in order, batch by batch, and gathers what it returns: `fn`
 * gets the batch x [b, D] and its condition c (built by the model's conditioner for conditional
 * models, from the split's labels or vectors), and returns `width` values per row ([b] or
 * [b, width]). It runs inside a tidy; each batch's result is read back asynchronously and released.
 * Returns the values row-major (n × width).
 */
export async function mapBatches(
  model: VaeModel,
  split: DataSplit,
  width: number,
  opts: BatchOptions,
  fn: (x: tf.Tensor2D, c: Condition, start: number) => tf.Tensor,
): Promise<Float32Array> {
  const n = rowsOf(split, opts);
  const B = Math.max(1, Math.min(opts.batchSize ?? 100, n));
  const D = split.dim;
  if (D !== model.shape.dataDim) throw new RangeError(`rows have ${D} values, the model expects ${model.shape.dataDim}`);
  const buf = new Float32Array(B * D);
  const out = new Float32Array(n * width);
  for (let start = 0; start < n; start += B) {
    const b = Math.min(B, n - start);
    const idx = Int32Array.from({ length: b }, (_, i) => start + i);
    split.read(idx, buf);
    const cond = model.conditioner?.read(split, idx);
    const t = tf.tidy(() => {
      const x = tf.tensor2d(buf.subarray(0, b * D), [b, D]);
      return fn(x, model.condition(cond), start);
    });
    try {
      if (t.size !== b * width) throw new RangeError(`a batch of ${b} rows gave ${t.size} values, expected ${b * width}`);
      out.set((await t.data()) as Float32Array, start * width);
    } finally {
      t.dispose();
    }
    opts.onProgress?.(start + b, n);
  }
  return out;
}
