import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { defineNetwork, opt, type ParameterStore, type RandomStream } from '@elbo/core';
import { FlowFamily, type FlowStep } from './flow-posterior.js';

/**
 * A planar step (Rezende & Mohamed 2015, eq. 10–12): f(z) = z + û tanh(wᵀz + b), with
 * log |det ∂f/∂z| = log |1 + ûᵀψ(z)|, ψ = (1 − tanh²(wᵀz + b)) w. û = u + (m(wᵀu) − wᵀu) w/‖w‖²,
 * m(a) = −1 + softplus(a), keeps wᵀû ≥ −1 so that the step is invertible (their appendix A.1).
 */
export class PlanarStep implements FlowStep {
  readonly u: tf.Variable;
  readonly w: tf.Variable;
  readonly b: tf.Variable;

  constructor(store: ParameterStore, name: string, dim: number, init: RandomStream) {
    const scale = 1 / Math.sqrt(dim);
    this.u = store.create(`${name}/u`, tf.randomUniform([dim, 1], -scale, scale, 'float32', init.nextSeed()));
    this.w = store.create(`${name}/w`, tf.randomUniform([dim, 1], -scale, scale, 'float32', init.nextSeed()));
    this.b = store.create(`${name}/b`, tf.zeros([1]));
  }

  /** û, [dim, 1]. */
  uHat(): tf.Tensor2D {
    const wu = tf.sum(tf.mul(this.w, this.u));
    const m = tf.sub(tf.softplus(wu), 1);
    return tf.add(this.u, tf.mul(tf.div(tf.sub(m, wu), tf.add(tf.sum(tf.square(this.w)), 1e-8)), this.w)) as tf.Tensor2D;
  }

  forward(z: tf.Tensor2D): { z: tf.Tensor2D; logDet: tf.Tensor1D } {
    const uHat = this.uHat();
    const h = tf.tanh(tf.add(tf.matMul(z, this.w as tf.Tensor2D), this.b)); // [n, 1]
    const out = tf.add(z, tf.matMul(h, uHat, false, true)) as tf.Tensor2D;
    const wu = tf.sum(tf.mul(this.w, uHat)); // wᵀû
    const logDet = tf.log(tf.abs(tf.add(1, tf.mul(tf.sub(1, tf.square(h)), wu))));
    return { z: out, logDet: tf.reshape(logDet, [-1]) as tf.Tensor1D };
  }
}

export const planarPosterior = defineNetwork({
  kind: 'posterior',
  name: 'planar',
  summary: 'Planar normalising flow over the encoder’s Gaussian (Rezende & Mohamed 2015)',
  options: z.object({ steps: opt.positiveInt().default(4).describe('number of planar steps') }).strict(),
  build: (o, s, params, init) =>
    new FlowFamily(
      params,
      Array.from({ length: o.steps }, (_, i) => new PlanarStep(params, `step${i}`, s.latentDim, init)),
    ),
});
