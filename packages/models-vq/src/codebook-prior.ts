import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { defineComponent, type Condition, type DiagonalGaussian, type ParameterStore, type Prior } from '@elbo/core';
import { vqFamilyOf } from './vq-divergence.js';
import type { VqFamily } from './vq-posterior.js';

/**
 * p(z) over the codes of model.posterior "vq": each of the G groups picks one of the K codes,
 * independently, uniformly (`learned: false`, van den Oord et al.'s training prior) or from learned
 * logits per group (`learned: true`, trained through the vq divergence's −log p(codes)). z is
 * mapped back to its codes by nearest code.
 */
export class CodebookPrior implements Prior {
  readonly gaussian = false;
  private readonly logits?: tf.Variable;

  constructor(
    private readonly store: ParameterStore,
    private readonly family: VqFamily,
    learned: boolean,
  ) {
    if (learned) this.logits = store.create('logits', tf.zeros([family.groups, family.o.codes]));
  }

  parameters() {
    return this.store.parameters();
  }

  distribution(): DiagonalGaussian {
    throw new Error('a categorical prior over codes is not a Gaussian');
  }

  /** Σ_g log p_g(code_g) per example; z [..., L] gives [...]. */
  logProb(z: tf.Tensor, _c?: Condition): tf.Tensor {
    return tf.tidy(() => {
      const L = z.shape[z.shape.length - 1]!;
      const lead = z.shape.slice(0, -1);
      const G = this.family.groups;
      const K = this.family.o.codes;
      if (!this.logits) return tf.fill(lead, -G * Math.log(K));
      const codes = this.family.nearest(tf.reshape(z, [-1, L]) as tf.Tensor2D); // [n, G]
      const logP = tf.logSoftmax(this.logits); // [G, K]
      const picked = tf.sum(tf.mul(tf.cast(tf.oneHot(codes, K), 'float32'), tf.expandDims(logP, 0)), [1, 2]);
      return tf.reshape(picked, lead);
    });
  }

  sample(n: number, seed: number, c?: Condition): tf.Tensor2D {
    return tf.tidy(() => {
      const rows = c ? c.shape[0] : n;
      const G = this.family.groups;
      const logits = this.logits ?? tf.zeros([G, this.family.o.codes]);
      const codes = tf.transpose(tf.multinomial(logits as tf.Tensor2D, rows, seed)) as tf.Tensor2D; // [rows, G]
      return this.family.lookup(codes);
    });
  }
}

export const codebookPrior = defineComponent({
  kind: 'prior',
  name: 'codebook',
  summary: 'Categorical prior over the codes of posterior "vq": uniform, or learned logits per group',
  options: z.object({ learned: z.boolean().default(false).describe('learn a categorical distribution per group (else uniform over the K codes)') }).strict(),
  create: async (o, ctx) => new CodebookPrior(ctx.params, await vqFamilyOf(ctx.container, 'model.prior: "codebook"'), o.learned),
});
