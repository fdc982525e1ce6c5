import * as tf from '@tensorflow/tfjs-core';
import { checkTensorSize, tidyStep, type CompileSetting } from '@elbo/compute';
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

/** Rows of an importance-sampling chunk kept below this many decoder evaluations at a time. */
const MAX_ROWS = 4096;

/**
 * Held-out evaluation: negative ELBO (analytic KL when the prior is Gaussian, else a one-sample
 * Monte-Carlo KL), the k-sample importance-weighted estimate of −log p(x), KL per dimension and
 * active units. Values are accumulated on the backend and read back once at the end.
 */
export async function evaluate(model: VaeModel, split: DataSplit, rng: RandomStream, opts: EvaluationOptions): Promise<Evaluation> {
  const n = Math.min(split.size, opts.limit ?? split.size);
  const D = split.dim;
  const L = model.shape.latentDim;
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
      const encoded = () => {
        const x = tf.tensor2d(buf.subarray(0, b * D), [b, D]);
        const c = model.condition(cond);
        return { x, c, q: model.encoder.encode(x, c, false) };
      };
      // Each importance-sampling chunk is its own step (the encoder run again for it): a compiled
      // function of the whole batch would hold every chunk's decoder outputs at once, since its
      // executor runs independent chunks side by side, where eager steps hold one chunk at a time.
      const logW = (opts.k > 0 ? importanceChunks(opts.k, b, seedIw) : []).map((ch) =>
        step(() => {
          const { x, c, q } = encoded();
          return importanceChunk(model, x, c, q, ch.kc, ch.seed);
        }),
      );
      const next = step(() => {
        const { x, c, q } = encoded();
        const { logPx, kl, klPerDim } = elboTerms(model, x, c, q, seedElbo);
        const iw = logW.length ? logMeanWeight(logW, opts.k) : tf.zeros([b]);
        return {
          sums: tf.add(sums, tf.stack([tf.neg(tf.sum(logPx)), tf.sum(kl), tf.neg(tf.sum(iw))])),
          klDims: klPerDim ? tf.add(klDims, tf.sum(klPerDim, 0)) : tf.clone(klDims),
          muSum: tf.add(muSum, tf.sum(q.mean, 0)),
          muSq: tf.add(muSq, tf.sum(tf.square(q.mean), 0)),
        };
      });
      tf.dispose([sums, klDims, muSum, muSq, ...logW]);
      ({ sums, klDims, muSum, muSq } = next);
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
 * Monte-Carlo estimate log q(z|x) − log p(z). Negative ELBO per example = −logPx + kl.
 * Call inside a tidy.
 */
export function elboTerms(
  model: VaeModel,
  x: tf.Tensor2D,
  c: tf.Tensor2D | undefined,
  q: ReturnType<VaeModel['encode']>,
  seed: number,
): { logPx: tf.Tensor1D; kl: tf.Tensor1D; klPerDim?: tf.Tensor2D } {
  const z = q.rsample(seed);
  const logPx = model.likelihood.logProb(x, model.decoder.decode(z, c, false));
  if (model.prior.gaussian) {
    const klPerDim = q.klPerDim(model.prior.distribution(x.shape[0], c));
    return { logPx, kl: tf.sum(klPerDim, -1) as tf.Tensor1D, klPerDim };
  }
  return { logPx, kl: tf.sub(q.logProb(z), model.prior.logProb(z, c)) as tf.Tensor1D };
}

/**
 * How `importanceWeighted` splits k samples of a batch of `b` rows: chunks of at most MAX_ROWS
 * decoder rows, each with its own seed derived from `seed`.
 */
export function importanceChunks(k: number, b: number, seed: number): { kc: number; seed: number }[] {
  checkTensorSize(`the log-weights of k = ${k} importance samples for ${b} rows (--k, eval.k)`, [k, b]);
  const chunk = Math.max(1, Math.min(k, Math.floor(MAX_ROWS / b)));
  const out: { kc: number; seed: number }[] = [];
  for (let done = 0, i = 0; done < k; done += chunk, i++) out.push({ kc: Math.min(chunk, k - done), seed: (seed + i * 7919) | 0 });
  return out;
}

/** The log-weights log p(x|z_i) + log p(z_i) − log q(z_i|x) of `kc` samples z_i ~ q(z|x) drawn from `seed`, [kc, batch]. Call inside a tidy. */
export function importanceChunk(model: VaeModel, x: tf.Tensor2D, c: tf.Tensor2D | undefined, q: ReturnType<VaeModel['encode']>, kc: number, seed: number): tf.Tensor2D {
  const [b, D] = x.shape;
  const z = q.rsampleK(kc, seed); // [kc, b, L]
  const zFlat = tf.reshape(z, [kc * b, q.dim]) as tf.Tensor2D;
  const xRep = tf.reshape(tf.tile(tf.expandDims(x, 0), [kc, 1, 1]), [kc * b, D]) as tf.Tensor2D;
  const cRep = c ? (tf.reshape(tf.tile(tf.expandDims(c, 0), [kc, 1, 1]), [kc * b, c.shape[1]]) as tf.Tensor2D) : undefined;
  const logPx = tf.reshape(model.likelihood.logProb(xRep, model.decoder.decode(zFlat, cRep, false)), [kc, b]);
  const logPz = tf.reshape(model.prior.logProb(zFlat, cRep), [kc, b]);
  return tf.sub(tf.add(logPx, logPz), q.logProb(z)) as tf.Tensor2D;
}

/** log (1/k) Σ_i w_i per example from the chunks' log-weights [kc, batch]. Call inside a tidy. */
function logMeanWeight(parts: tf.Tensor2D[], k: number): tf.Tensor1D {
  const logW = parts.length === 1 ? parts[0]! : tf.concat(parts, 0);
  return tf.sub(tf.logSumExp(logW, 0), Math.log(k)) as tf.Tensor1D;
}

/**
 * log p̂(x) = log (1/k) Σ_i p(x|z_i) p(z_i) / q(z_i|x), z_i ~ q(z|x), per example [batch].
 * Samples are processed in chunks (`importanceChunks`) so memory stays bounded for large k.
 */
export function importanceWeighted(model: VaeModel, x: tf.Tensor2D, c: tf.Tensor2D | undefined, q: ReturnType<VaeModel['encode']>, k: number, seed: number): tf.Tensor1D {
  return tf.tidy(() =>
    logMeanWeight(
      importanceChunks(k, x.shape[0], seed).map((ch) => tf.tidy(() => importanceChunk(model, x, c, q, ch.kc, ch.seed))),
      k,
    ),
  );
}
