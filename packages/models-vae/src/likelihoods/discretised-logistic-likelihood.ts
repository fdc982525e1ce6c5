import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { NO_PARAMETERS, defineComponent, opt, type DecoderOutput, type Likelihood } from '@elbo/core';

/** 1 where the bin's mass is representable, else 0; a constant to the gradient (a comparison has none). */
const representable = tf.customGrad(((delta: tf.Tensor) => ({
  value: tf.cast(tf.greater(delta, 1e-5), 'float32'),
  gradFunc: (dy: tf.Tensor) => [tf.zerosLike(dy)],
})) as Parameters<typeof tf.customGrad>[0]);

export const discretisedLogisticOptions = z
  .object({
    bins: opt.positiveInt().default(256).describe('number of intensity levels of the data (256: 8-bit images scaled to [0, 1])'),
    minLogScale: z.number().default(-7).describe('lower bound on the decoder’s log-scale'),
  })
  .strict();

/**
 * p(x|z) for 8-bit images (Salimans et al. 2017, PixelCNN++ §2.1; Kingma et al. 2016): each value
 * x ∈ {0, 1/(B−1), …, 1} gets the mass of a logistic(μ, s) on its bin [x − h, x + h], h = 1/(2(B−1)),
 * the lowest bin taking everything below it and the highest everything above, so the B masses sum
 * to 1. The decoder outputs `mean` (μ) and `logScale` (log s, bounded below by `minLogScale`). Where
 * the bin's mass underflows (σ(a) − σ(b) < 1e-5) its log is the density at the centre times 2h,
 * as PixelCNN++ does.
 */
export class DiscretisedLogisticLikelihood implements Likelihood {
  readonly paramNames = ['mean', 'logScale'] as const;
  private readonly half: number;

  constructor(private readonly o: z.output<typeof discretisedLogisticOptions>) {
    this.half = 1 / (2 * (o.bins - 1));
  }

  parameters() {
    return NO_PARAMETERS;
  }

  /** log P(x) per value, [batch, D]. */
  logMass(x: tf.Tensor2D, p: DecoderOutput): tf.Tensor2D {
    return tf.tidy(() => {
      const mu = p['mean']!;
      const logS = tf.maximum(p['logScale']!, this.o.minLogScale);
      const invS = tf.exp(tf.neg(logS));
      const centred = tf.sub(x, mu);
      const plus = tf.mul(tf.add(centred, this.half), invS);
      const minus = tf.mul(tf.sub(centred, this.half), invS);
      const logCdfPlus = tf.neg(tf.softplus(tf.neg(plus))); // log σ(plus): the lowest bin
      const logOneMinusCdfMinus = tf.neg(tf.softplus(minus)); // log (1 − σ(minus)): the highest bin
      const delta = tf.sub(tf.sigmoid(plus), tf.sigmoid(minus));
      const mid = tf.mul(centred, invS);
      const logPdfMid = tf.sub(tf.sub(mid, logS), tf.mul(tf.softplus(mid), 2)); // log logistic density at the centre
      const ok = representable(delta);
      const interior = tf.add(tf.mul(ok, tf.log(tf.maximum(delta, 1e-12))), tf.mul(tf.sub(1, ok), tf.add(logPdfMid, Math.log(2 * this.half))));
      const lowest = tf.less(x, this.half);
      const highest = tf.greater(x, 1 - this.half);
      return tf.where(lowest, logCdfPlus, tf.where(highest, logOneMinusCdfMinus, interior)) as tf.Tensor2D;
    });
  }

  logProb(x: tf.Tensor2D, p: DecoderOutput): tf.Tensor1D {
    return tf.tidy(() => tf.sum(this.logMass(x, p), -1) as tf.Tensor1D);
  }

  /** The logistic's mean μ, clipped to [0, 1]. */
  mean(p: DecoderOutput): tf.Tensor2D {
    return tf.clipByValue(p['mean']!, 0, 1);
  }

  /** x = μ + s (log u − log(1 − u)), u ~ U(0, 1), rounded to the nearest level in [0, 1]. */
  sample(p: DecoderOutput, seed: number): tf.Tensor2D {
    return tf.tidy(() => {
      const mu = p['mean']!;
      const u = tf.randomUniform(mu.shape, 1e-5, 1 - 1e-5, 'float32', seed);
      const s = tf.exp(tf.maximum(p['logScale']!, this.o.minLogScale));
      const x = tf.add(mu, tf.mul(s, tf.sub(tf.log(u), tf.log(tf.sub(1, u)))));
      const levels = this.o.bins - 1;
      return tf.div(tf.round(tf.mul(tf.clipByValue(x, 0, 1), levels)), levels) as tf.Tensor2D;
    });
  }
}

export const discretisedLogisticLikelihood = defineComponent({
  kind: 'likelihood',
  name: 'discretised-logistic',
  summary: 'Discretised logistic for 8-bit images in [0, 1] (PixelCNN++): the logistic’s mass on each intensity bin',
  options: discretisedLogisticOptions,
  create: (o) => new DiscretisedLogisticLikelihood(o),
});
