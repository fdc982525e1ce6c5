import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@elbo/compute';
import { DiagonalGaussian, ParameterStore, StandardNormalPrior } from '@elbo/core';
import { VqFamily, VqPosterior, vqOptions } from './vq-posterior.js';
import { VqDivergence } from './vq-divergence.js';
import { CodebookPrior } from './codebook-prior.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

/** K = 3 codes of width 2, a latent of 4 (two groups). */
const codebook = [
  [0, 0],
  [1, 1],
  [-2, 0.5],
];
function family(ema = 0): VqFamily {
  const f = new VqFamily(new ParameterStore('posterior'), 4, vqOptions.parse({ codes: 3, dim: 2, ema }), 1);
  f.codebook.assign(tf.tensor2d(codebook));
  return f;
}
const zE = [
  [0.9, 0.7, -1.5, 0.1],
  [0.1, -0.2, 2, 2],
];
const base = () => new DiagonalGaussian(tf.tensor2d(zE), tf.zeros([2, 4]));

describe('VQ posterior', () => {
  it('replaces each group by its nearest code (brute force)', () => {
    const f = family();
    const near = (v: number[]) => codebook.map((c) => (c[0]! - v[0]!) ** 2 + (c[1]! - v[1]!) ** 2).reduce((b, d, i, all) => (d < all[b]! ? i : b), 0);
    const expected = zE.map((r) => [near(r.slice(0, 2)), near(r.slice(2))]);
    const [codes, zq] = tf.tidy(() => {
      const q = f.posterior(base()) as VqPosterior;
      return [q.codes.arraySync(), q.mean.arraySync()];
    });
    expect(codes).toEqual(expected);
    expect(zq).toEqual(expected.map((r) => [...codebook[r[0]!]!, ...codebook[r[1]!]!]));
  });

  it('passes the decoder’s gradient straight through to z_e, and log q(z|x) = 0', () => {
    const f = family();
    const w = tf.tensor2d([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
    const x = tf.tensor2d(zE);
    const g = tf.grad((e: tf.Tensor) => tf.sum(tf.mul(new VqPosterior(f, e as tf.Tensor2D).rsample(), w)))(x);
    expect(g.arraySync()).toEqual(w.arraySync());
    const q = f.posterior(base());
    expect(Array.from(q.logProb(q.rsampleK(3, 1)).dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('the codebook loss moves only the codes, the commitment loss only z_e', () => {
    const f = family();
    const div = new VqDivergence(f, 0.25);
    const prior = new StandardNormalPrior(4);
    const parts = (e: tf.Tensor2D) => {
      const q = new VqPosterior(f, e);
      return div.terms(q, undefined, q.rsample(), prior).parts;
    };
    const x = tf.tensor2d(zE);
    const commitToZe = tf.grad((e: tf.Tensor) => parts(e as tf.Tensor2D)['commitment']!)(x);
    const codebookToZe = tf.grad((e: tf.Tensor) => parts(e as tf.Tensor2D)['codebook']!)(x);
    const { grads } = tf.variableGrads(() => parts(x)['codebook']!, [f.codebook]);
    const commitToCodes = tf.variableGrads(() => parts(x)['commitment']!, [f.codebook]).grads;
    expect(tf.sum(tf.abs(commitToZe)).dataSync()[0]).toBeGreaterThan(0);
    expect(tf.sum(tf.abs(codebookToZe)).dataSync()[0]).toBe(0);
    expect(tf.sum(tf.abs(grads[f.codebook.name]!)).dataSync()[0]).toBeGreaterThan(0);
    expect(tf.sum(tf.abs(commitToCodes[f.codebook.name]!)).dataSync()[0]).toBe(0);
  });

  it('with EMA updates, a code moves to the mean of the outputs assigned to it', () => {
    const f = family(1e-6); // decay ≈ 0: the new code is the batch mean of its assignments
    const div = new VqDivergence(f, 0.25);
    div.auxiliaryUpdate({ x: tf.tensor2d(zE), encode: (x) => f.posterior(new DiagonalGaussian(x, tf.zerosLike(x))) });
    const book = f.codebook.arraySync() as number[][];
    // Code 1 got (0.9, 0.7) and (2, 2); code 0 got (0.1, −0.2); code 2 got (−1.5, 0.1).
    expect(book[1]![0]).toBeCloseTo(1.45, 3);
    expect(book[1]![1]).toBeCloseTo(1.35, 3);
    expect(book[0]![0]).toBeCloseTo(0.1, 3);
    expect(book[2]![1]).toBeCloseTo(0.1, 3);
    expect([...div.auxiliaryState().keys()]).toEqual(['vq/cluster_size', 'vq/embed_sum']);
    f.dispose();
  });
});

describe('prior/codebook', () => {
  it('uniform: −G log K for every z; learned: a distribution over the K^G code tuples', () => {
    const f = family();
    const uniform = new CodebookPrior(new ParameterStore('prior'), f, false);
    expect(Array.from(uniform.logProb(tf.tensor2d(zE)).dataSync())).toEqual([-2 * Math.log(3), -2 * Math.log(3)].map((v) => expect.closeTo(v, 5)));
    const learned = new CodebookPrior(new ParameterStore('prior'), f, true);
    (learned.parameters().get('prior/logits') as tf.Variable).assign(tf.tensor2d([0.3, -1, 2, 1, 0, -0.5], [2, 3]));
    // Every tuple of codes (one per group), as z: the probabilities sum to 1.
    const tuples = [0, 1, 2].flatMap((a) => [0, 1, 2].map((b) => [...codebook[a]!, ...codebook[b]!]));
    const total = tf.tidy(() => tf.sum(tf.exp(learned.logProb(tf.tensor2d(tuples)))).dataSync()[0]!);
    expect(total).toBeCloseTo(1, 5);
    const s = tf.tidy(() => learned.sample(5, 3).arraySync());
    expect(s).toHaveLength(5);
    for (const row of s) expect(codebook).toContainEqual(row.slice(0, 2));
  });
});
