import * as tf from '@tensorflow/tfjs-core';
import { checkTensorSize, tidyStep, type CompileSetting, type TidyStep } from '@elbo/compute';
import type { DataSplit } from '../data/dataset.js';
import type { VaeModel } from '../model/vae-model.js';
import type { RandomStream } from '../runtime/rng.js';

export interface EvaluationOptions {
  /** Importance samples for the IWAE bound; 0 skips it. */
  readonly k: number;
  readonly batchSize: number;
  /** Evaluate on the first `limit` examples only. */
  readonly limit?: number;
  /** Called after each batch with (examples done, total). */
  readonly onProgress?: (done: number, total: number) => void;
  readonly compile?: CompileSetting; // batches as compiled functions on the native backend (default off)
}

export interface Evaluation {
  /** Examples evaluated. */
  readonly n: number;
  /** Mean negative ELBO, −E_q[log p(x|z)] + KL(q‖p), in nats per example (one z sample). */
  readonly negElbo: number;
  /** Mean reconstruction term −E_q[log p(x|z)]. */
  readonly recon: number;
  /** Mean KL(q(z|x) ‖ p(z)). */
  readonly kl: number;
  /** IWAE estimate of −log p(x) with `k` samples (Burda et al. 2016, eq. 8); undefined when k = 0. */
  readonly iwae?: number;
  readonly k: number;
  /** Mean KL per latent dimension (closed form; present when the prior is Gaussian). */
  readonly klPerDim?: number[];
  /**
   * Active units (Burda et al. 2016, §5.2): dimensions u with Cov_x(E_{q(u|x)}[u]) > 10⁻², the
   * variance over the evaluated examples of the posterior mean.
   */
  readonly activeUnits: number;
  readonly meanVariance: number[];
}

/** A batch of rows, its condition and its encoding q(z|x). */
export type Encoded = { x: tf.Tensor2D; c: tf.Tensor2D | undefined; q: ReturnType<VaeModel['encode']> };

/** Rows of an importance-sampling chunk kept below this many decoder evaluations at a time. */
const MAX_ROWS = 4096;

/**
 * Held-out evaluation: negative ELBO (analytic KL when the prior is Gaussian, else a one-sample
 * Monte-Carlo KL), the k-sample importance-weighted estimate of −log p(x), KL per dimension and
 * active units. Values are accumulated on the backend and read back once at the end.
 */
export async function evaluate(model: VaeModel, split: DataSplit, rng: RandomStream, opts: EvaluationOptions): Promise<Evaluation> {
  const n = Math.min(split.size, opts.limit ?? split.size);
  const [D, L] = [split.dim, model.shape.latentDim];
  const buf = new Float32Array(Math.min(opts.batchSize, n) * D);
  // Calls waited for: a queued call would hold the next batch's intermediates beside this one's.
  const step = tidyStep(model, opts.compile ?? 'off', undefined, false);
  let sums = tf.zeros([3]); // recon, kl, iwae (summed over examples)
  let klDims = tf.zeros([L]);
  let muSum = tf.zeros([L]);
  let muSq = tf.zeros([L]);
  try {
    for (let start = 0; start < n; start += opts.batchSize) {
      const b = Math.min(opts.batchSize, n - start);
      const idx = new Int32Array(b);
      for (let i = 0; i < b; i++) idx[i] = start + i;
      split.read(idx, buf);
      const cond = model.conditioner?.read(split, idx);
      const seedElbo = rng.nextSeed();
      const seedIw = rng.nextSeed();
      const encoded = (): Encoded => {
        const x = tf.tensor2d(buf.subarray(0, b * D), [b, D]);
        const c = model.condition(cond);
        return { x, c, q: model.encoder.encode(x, c, false) };
      };
      const iw = opts.k > 0 ? importanceWeighted(model, b, encoded, opts.k, seedIw, step) : undefined;
      try {
        const next = step(() => {
          const e = encoded();
          const { logPx, kl, klPerDim } = elboTerms(model, e, seedElbo);
          return {
            sums: tf.add(sums, tf.stack([tf.neg(tf.sum(logPx)), tf.sum(kl), tf.neg(tf.sum(iw ?? tf.zeros([b])))])),
            klDims: klPerDim ? tf.add(klDims, tf.sum(klPerDim, 0)) : tf.clone(klDims),
            muSum: tf.add(muSum, tf.sum(e.q.mean, 0)),
            muSq: tf.add(muSq, tf.sum(tf.square(e.q.mean), 0)),
          };
        });
        tf.dispose([sums, klDims, muSum, muSq]);
        ({ sums, klDims, muSum, muSq } = next);
      } finally {
        iw?.dispose();
      }
      opts.onProgress?.(start + b, n);
    }
    const [s, kd, ms, mq] = await Promise.all([sums.data(), klDims.data(), muSum.data(), muSq.data()]);
    const meanVariance = Array.from(ms, (m, i) => mq[i]! / n - (m / n) ** 2);
    const recon = s[0]! / n;
    const kl = s[1]! / n;
    return {
      n,
      negElbo: recon + kl,
      recon,
      kl,
      iwae: opts.k > 0 ? s[2]! / n : undefined,
      k: opts.k,
      klPerDim: model.prior.gaussian ? Array.from(kd, (v) => v / n) : undefined,
      activeUnits: meanVariance.filter((v) => v > 1e-2).length,
      meanVariance,
    };
  } finally {
    tf.dispose([sums, klDims, muSum, muSq]);
  }
}

/**
 * The one-sample ELBO terms of every example of a batch, as `evaluate` averages them: z ~ q(z|x)
 * drawn once from `seed` (reparameterised), log p(x|z) per example, and KL(q(z|x) ‖ p(z)) in
 * closed form when the prior is Gaussian (with its per-dimension terms), else the one-sample
 * Monte-Carlo estimate log q(z|x) − log p(z). Negative ELBO per example = −logPx + kl. In a tidy.
 */
export function elboTerms(model: VaeModel, { x, c, q }: Encoded, seed: number): { logPx: tf.Tensor1D; kl: tf.Tensor1D; klPerDim?: tf.Tensor2D } {
  const z = q.rsample(seed);
  const logPx = model.likelihood.logProb(x, model.decoder.decode(z, c, false));
  if (model.prior.gaussian) {
    const klPerDim = q.klPerDim(model.prior.distribution(x.shape[0], c));
    return { logPx, kl: tf.sum(klPerDim, -1) as tf.Tensor1D, klPerDim };
  }
  return { logPx, kl: tf.sub(q.logProb(z), model.prior.logProb(z, c)) as tf.Tensor1D };
}

/**
 * log p̂(x) = log (1/k) Σ_i p(x|z_i) p(z_i) / q(z_i|x), z_i ~ q(z|x), per example [rows]. The k
 * samples go in chunks of at most MAX_ROWS decoder rows, each its own `run` (a tidy, or a compiled
 * step) that makes the encoding again, so memory stays bounded for large k — also when compiled:
 * one function of every chunk would hold all their decoder outputs at once, as TensorFlow's
 * executor runs independent branches side by side.
 */
export function importanceWeighted(model: VaeModel, rows: number, encoded: () => Encoded, k: number, seed: number, run: TidyStep = (fn) => tf.tidy(fn)): tf.Tensor1D {
  checkTensorSize(`the log-weights of k = ${k} importance samples for ${rows} rows (--k, eval.k)`, [k, rows]);
  const chunk = Math.max(1, Math.min(k, Math.floor(MAX_ROWS / rows)));
  const parts = Array.from({ length: Math.ceil(k / chunk) }, (_, i) => run(() => importanceChunk(model, encoded(), Math.min(chunk, k - i * chunk), (seed + i * 7919) | 0)));
  try {
    return tf.tidy(() => tf.sub(tf.logSumExp(parts.length === 1 ? parts[0]! : tf.concat(parts, 0), 0), Math.log(k)) as tf.Tensor1D);
  } finally {
    tf.dispose(parts);
  }
}

/** log p(x|z_i) + log p(z_i) − log q(z_i|x) of `kc` samples z_i ~ q(z|x) drawn from `seed` [kc, batch]. Call inside a tidy. */
function importanceChunk(model: VaeModel, { x, c, q }: Encoded, kc: number, seed: number): tf.Tensor2D {
  const [b, D] = x.shape;
  const z = q.rsampleK(kc, seed); // [kc, b, L]
  const zFlat = tf.reshape(z, [kc * b, q.dim]) as tf.Tensor2D;
  const xRep = tf.reshape(tf.tile(tf.expandDims(x, 0), [kc, 1, 1]), [kc * b, D]) as tf.Tensor2D;
  const cRep = c ? (tf.reshape(tf.tile(tf.expandDims(c, 0), [kc, 1, 1]), [kc * b, c.shape[1]]) as tf.Tensor2D) : undefined;
  const logPx = tf.reshape(model.likelihood.logProb(xRep, model.decoder.decode(zFlat, cRep, false)), [kc, b]);
  const logPz = tf.reshape(model.prior.logProb(zFlat, cRep), [kc, b]);
  return tf.sub(tf.add(logPx, logPz), q.logProb(z)) as tf.Tensor2D;
}
