import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { activate, type Activation } from '@elbo/compute';
import { activationOption, defineNetwork, opt, type ParameterStore, type RandomStream } from '@elbo/core';
import { FlowFamily, type FlowStep } from './flow-posterior.js';

/**
 * MADE masks (Germain et al. 2015) for inputs of degrees `order` and `hidden` units, row-major:
 * input → hidden [dim, hidden] (unit k sees input i when m_k ≥ d_i), hidden → output [hidden, dim]
 * (output j sees unit k when d_j > m_k), so output j depends on the inputs of lower degree only.
 */
export function madeMasks(order: readonly number[], hidden: number): { inMask: Float32Array; outMask: Float32Array } {
  const hiddenDegree = Array.from({ length: hidden }, (_, k) => (k % Math.max(1, order.length - 1)) + 1);
  return {
    inMask: Float32Array.from(order.flatMap((d) => hiddenDegree.map((m) => (m >= d ? 1 : 0)))),
    outMask: Float32Array.from(hiddenDegree.flatMap((m) => order.map((d) => (d > m ? 1 : 0)))),
  };
}

/**
 * How an IAF step maps z (Kingma et al. 2016), with [m, s] = MADE(z):
 * - `affine` (eq. 10 with a bounded scale): f(z) = m + 2·sigmoid(s) ⊙ z, log |det| = Σ log(2·sigmoid(s)).
 *   The output heads start at zero, so every step starts as the identity (m = 0, scale 1) and the
 *   model starts as the plain VAE; the scale stays in (0, 2) per step.
 * - `gated` (eq. 14, the paper's numerically stable form): f(z) = σ ⊙ z + (1 − σ) ⊙ m, σ = sigmoid(s),
 *   log |det| = Σ log σ, with `s` starting near +1.5 (σ ≈ 0.8) and Glorot-initialised heads, as the
 *   paper advises — close to the identity, not at it.
 */
export type IafForm = 'affine' | 'gated';

/**
 * An inverse autoregressive step: output j depends on the inputs before j in this step's order
 * only, so the Jacobian is triangular and its log-determinant is the sum of the log-scales.
 */
export class IafStep implements FlowStep {
  private readonly masks: { inMask: Float32Array; outMask: Float32Array };
  private readonly dim: number;
  private readonly hidden: number;
  private readonly w1: tf.Variable;
  private readonly b1: tf.Variable;
  private readonly wm: tf.Variable;
  private readonly bm: tf.Variable;
  private readonly ws: tf.Variable;
  private readonly bs: tf.Variable;
  private readonly wc?: tf.Variable;

  constructor(
    store: ParameterStore,
    name: string,
    order: readonly number[],
    hidden: number,
    private readonly activation: Activation,
    init: RandomStream,
    /** Width of the per-row context the hidden layer also reads (0: none). */
    contextDim = 0,
    private readonly form: IafForm = 'affine',
  ) {
    const dim = order.length;
    [this.dim, this.hidden] = [dim, hidden];
    this.masks = madeMasks(order, hidden);
    const glorot = (a: number, b: number) => tf.randomUniform([a, b], -Math.sqrt(6 / (a + b)), Math.sqrt(6 / (a + b)), 'float32', init.nextSeed());
    this.w1 = store.create(`${name}/hidden/kernel`, glorot(dim, hidden));
    this.b1 = store.create(`${name}/hidden/bias`, tf.zeros([hidden]));
    const head = () => (form === 'gated' ? glorot(hidden, dim) : tf.zeros([hidden, dim]));
    this.wm = store.create(`${name}/m/kernel`, head());
    this.bm = store.create(`${name}/m/bias`, tf.zeros([dim]));
    this.ws = store.create(`${name}/s/kernel`, head());
    this.bs = store.create(`${name}/s/bias`, tf.fill([dim], form === 'gated' ? 1.5 : 0));
    if (contextDim > 0) this.wc = store.create(`${name}/context/kernel`, glorot(contextDim, hidden));
  }

  /** Call inside a tidy (the masks are made per call: a step owns no tensors besides its variables). */
  forward(z: tf.Tensor2D, context?: tf.Tensor2D): { z: tf.Tensor2D; logDet: tf.Tensor1D } {
    const inMask = tf.tensor2d(this.masks.inMask, [this.dim, this.hidden]);
    const outMask = tf.tensor2d(this.masks.outMask, [this.hidden, this.dim]);
    const pre = tf.add(tf.matMul(z, tf.mul(this.w1, inMask) as tf.Tensor2D), this.b1);
    const h = activate((this.wc && context ? tf.add(pre, tf.matMul(context, this.wc as tf.Tensor2D)) : pre) as tf.Tensor2D, this.activation);
    const m = tf.add(tf.matMul(h, tf.mul(this.wm, outMask) as tf.Tensor2D), this.bm);
    const s = tf.add(tf.matMul(h, tf.mul(this.ws, outMask) as tf.Tensor2D), this.bs);
    const logSigma = tf.neg(tf.softplus(tf.neg(s))); // log sigmoid(s), stable for any s
    if (this.form === 'affine') {
      const out = tf.add(m, tf.mul(tf.mul(2, tf.sigmoid(s)), z)) as tf.Tensor2D;
      return { z: out, logDet: tf.sum(tf.add(logSigma, Math.LN2), 1) as tf.Tensor1D };
    }
    const sigma = tf.sigmoid(s);
    const out = tf.add(tf.mul(sigma, z), tf.mul(tf.sub(1, sigma), m)) as tf.Tensor2D;
    return { z: out, logDet: tf.sum(logSigma, 1) as tf.Tensor1D };
  }
}

export const iafPosterior = defineNetwork({
  kind: 'posterior',
  name: 'iaf',
  summary: 'Inverse autoregressive flow over the encoder’s Gaussian (Kingma et al. 2016), MADE steps in alternating order',
  options: z
    .object({
      steps: opt.positiveInt().default(4).describe('number of IAF steps'),
      hidden: opt.positiveInt().default(100).describe('width of each step’s MADE hidden layer'),
      activation: activationOption().default('elu').describe('activation of the MADE hidden layer'),
      context: z.boolean().default(false).describe('amortised steps: the MADE hidden layer also reads the encoder’s (μ, log σ²) of each example, as Kingma et al.’s context h'),
      form: z
        .enum(['affine', 'gated'])
        .default('affine')
        .describe('affine: f(z) = m + 2·sigmoid(s) ⊙ z, every step starting as the identity; gated: the paper’s σ ⊙ z + (1 − σ) ⊙ m, starting near it'),
    })
    .strict(),
  build: (o, s, params, init) => {
    const L = s.latentDim;
    const forward = Array.from({ length: L }, (_, i) => i + 1);
    const steps = Array.from(
      { length: o.steps },
      (_, t) => new IafStep(params, `step${t}`, t % 2 ? [...forward].reverse() : forward, o.hidden, o.activation, init, o.context ? 2 * L : 0, o.form),
    );
    return new FlowFamily(params, steps);
  },
});
