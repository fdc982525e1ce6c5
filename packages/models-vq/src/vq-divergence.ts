import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import {
  ConfigError,
  NO_PARAMETERS,
  PosteriorFamily,
  defineComponent,
  opt,
  type AuxiliaryBatch,
  type Divergence,
  type DivergenceTerms,
  type Posterior,
  type Prior,
} from '@elbo/core';
import { VqFamily, VqPosterior, stopGradient } from './vq-posterior.js';

/**
 * The VQ-VAE's loss beside the reconstruction (van den Oord et al. 2017, eq. 3):
 *   ‖sg[z_e] − e‖² (codebook, left out when the codebook follows EMAs) + β ‖z_e − sg[e]‖² (commitment)
 * summed over the latent and averaged over the batch, plus KL(q‖p) = −log p(codes), which is the
 * constant G log K under the uniform prior and trains a learned categorical prior. Also logged:
 * `perplexity`, exp of the entropy of the batch's code usage (K when every code is used equally).
 */
export class VqDivergence implements Divergence {
  readonly perExample = true;
  readonly needs = 'codebook';

  constructor(
    private readonly family: VqFamily,
    readonly commitment: number,
  ) {}

  parameters() {
    return NO_PARAMETERS;
  }

  terms(q: Posterior, _p: unknown, z: tf.Tensor2D, prior: Prior): DivergenceTerms {
    if (!(q instanceof VqPosterior)) throw new ConfigError('model.divergence: "vq" needs model.posterior "vq"');
    const sqErr = (a: tf.Tensor, b: tf.Tensor) => tf.mean(tf.sum(tf.square(tf.sub(a, b)), 1)) as tf.Scalar;
    const commit = sqErr(q.zE, stopGradient(q.zQ));
    const codebook = this.family.ema ? undefined : sqErr(stopGradient(q.zE), q.zQ);
    const kl = tf.neg(tf.mean(prior.logProb(z))) as tf.Scalar;
    const usage = tf.mean(tf.cast(tf.oneHot(tf.reshape(q.codes, [-1]) as tf.Tensor1D, this.family.o.codes), 'float32'), 0);
    const perplexity = tf.exp(tf.neg(tf.sum(tf.mul(usage, tf.log(tf.add(usage, 1e-10)))))) as tf.Scalar;
    const total = tf.addN([tf.mul(commit, this.commitment), kl, ...(codebook ? [codebook] : [])]) as tf.Scalar;
    return { total, parts: { commitment: commit, ...(codebook ? { codebook } : {}), kl, perplexity } };
  }

  /** With `ema`: N_k ← γN_k + (1−γ)n_k, m_k ← γm_k + (1−γ)Σ z_e→k, e_k = m_k / N_k (Laplace-smoothed), on the batch the trainer passes. */
  auxiliaryUpdate(batch: AuxiliaryBatch): Readonly<Record<string, tf.Scalar>> | undefined {
    const ema = this.family.ema;
    if (!ema) return undefined;
    tf.tidy(() => {
      const q = batch.encode(batch.x);
      if (!(q instanceof VqPosterior)) throw new ConfigError('model.divergence: "vq" needs model.posterior "vq"');
      const K = this.family.o.codes;
      const onehot = tf.cast(tf.oneHot(tf.reshape(q.codes, [-1]) as tf.Tensor1D, K), 'float32') as tf.Tensor2D; // [n·G, K]
      const flat = tf.reshape(q.zE, [-1, this.family.o.dim]) as tf.Tensor2D;
      const g = ema.decay;
      const size = tf.add(tf.mul(ema.clusterSize, g), tf.mul(tf.sum(onehot, 0), 1 - g));
      const sum = tf.add(tf.mul(ema.embedSum, g), tf.mul(tf.matMul(onehot, flat, true, false), 1 - g));
      const n = tf.sum(size);
      const smoothed = tf.mul(tf.div(tf.add(size, 1e-5), tf.add(n, K * 1e-5)), n);
      ema.clusterSize.assign(size);
      ema.embedSum.assign(sum);
      this.family.codebook.assign(tf.div(sum, tf.expandDims(smoothed, 1)));
    });
    return undefined;
  }

  auxiliaryState(): ReadonlyMap<string, tf.Tensor> {
    const ema = this.family.ema;
    return new Map(
      ema
        ? [
            ['vq/cluster_size', ema.clusterSize as tf.Tensor],
            ['vq/embed_sum', ema.embedSum as tf.Tensor],
          ]
        : [],
    );
  }

  restoreAuxiliaryState(state: ReadonlyMap<string, tf.Tensor>): void {
    const ema = this.family.ema;
    const [size, sum] = [state.get('vq/cluster_size'), state.get('vq/embed_sum')];
    if (ema && size && sum) {
      ema.clusterSize.assign(size);
      ema.embedSum.assign(sum);
    }
  }
}

/** The VQ posterior family of the run (a ConfigError naming `what` otherwise). */
export async function vqFamilyOf(container: import('inversify').Container, what: string): Promise<VqFamily> {
  const family = await container.getAsync<PosteriorFamily>(PosteriorFamily, { optional: true });
  if (!(family instanceof VqFamily)) throw new ConfigError(`${what} needs model.posterior "vq" (a codebook latent)`);
  return family;
}

export const vqDivergence = defineComponent({
  kind: 'divergence',
  name: 'vq',
  summary: 'VQ-VAE codebook and commitment losses (van den Oord et al. 2017) with −log p(codes)',
  options: z.object({ commitment: opt.nonNegative().default(0.25).describe('weight β of the commitment loss') }).strict(),
  create: async (o, ctx) => new VqDivergence(await vqFamilyOf(ctx.container, 'model.divergence: "vq"'), o.commitment),
});
