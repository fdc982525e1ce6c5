import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { defineComponent, opt, type Condition, type DivergenceContext, type Objective, type ObjectiveOutput, type VaeModel } from '@elbo/core';

/** `rows` copies of a [b, w] tensor stacked as [rows·b, w] (sample-major, as a [k, b, ·] tensor flattens). */
const repeat = (t: tf.Tensor2D, k: number): tf.Tensor2D => (k === 1 ? t : (tf.reshape(tf.tile(tf.expandDims(t, 0), [k, 1, 1]), [k * t.shape[0], t.shape[1]]) as tf.Tensor2D));

/**
 * The importance-weighted bound (Burda et al. 2016, eq. 8) as the training objective:
 *   L_k(x) = E[ log (1/k) Σ_i p(x|z_i) p(z_i) / q(z_i|x) ],  z_1…z_k ~ q(z|x) reparameterised,
 * which is the ELBO at k = 1 and tightens as k grows. It is a bound of its own: model.divergence
 * takes no part in it. Logged parts: `recon` (−log p(x|z) averaged over the k samples) and `kl`
 * (log q(z|x) − log p(z), likewise), so runs compare with ELBO runs; the loss is −L_k.
 */
export class IwaeObjective implements Objective {
  readonly needs = 'density';
  readonly usesDivergence = false;

  constructor(readonly k: number) {}

  loss(model: VaeModel, x: tf.Tensor2D, c: Condition, ctx: DivergenceContext): ObjectiveOutput {
    const { k } = this;
    const b = x.shape[0];
    const q = model.encoder.encode(x, c, true);
    const z = q.rsampleK(k, ctx.seed); // [k, b, L]
    const zFlat = tf.reshape(z, [k * b, z.shape[2]]) as tf.Tensor2D;
    const cRep = c && repeat(c, k);
    const logPx = tf.reshape(model.likelihood.logProb(repeat(x, k), model.decoder.decode(zFlat, cRep, true)), [k, b]);
    const logRatio = tf.sub(q.logProb(z), tf.reshape(model.prior.logProb(zFlat, cRep), [k, b])); // log q − log p(z)
    const bound = tf.sub(tf.logSumExp(tf.sub(logPx, logRatio), 0), Math.log(k));
    return { loss: tf.neg(tf.mean(bound)) as tf.Scalar, parts: { recon: tf.neg(tf.mean(logPx)) as tf.Scalar, kl: tf.mean(logRatio) as tf.Scalar } };
  }
}

export const iwaeObjective = defineComponent({
  kind: 'objective',
  name: 'iwae',
  summary: 'Importance-weighted bound with k samples (Burda et al. 2016); k = 1 is the ELBO',
  options: z.object({ k: opt.positiveInt().default(5).describe('importance samples per example') }).strict(),
  create: (o) => new IwaeObjective(o.k),
});
