import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@elbo/compute';
import { DiagonalGaussian, ParameterStore, Rng } from '@elbo/core';
import { TwoLayerFamily, TwoLayerPrior, twoLayerOptions } from './two-layer.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

/** z₁ and z₂ one value wide each, so densities can be integrated on a grid. */
function parts() {
  const store = new ParameterStore();
  const o = twoLayerOptions.parse({ top: 1, hidden: [6] });
  const family = new TwoLayerFamily(store.scope('posterior'), 1, o, new Rng(8).stream('init/posterior'));
  const prior = new TwoLayerPrior(store.scope('prior'), 1, 1, o, new Rng(8).stream('init/prior'));
  return { store, family, prior };
}

/** Σ over a [−7, 7]² grid of density · cell area. */
function integrate(logDensity: (z: tf.Tensor2D) => tf.Tensor): number {
  const h = 0.07;
  const n = Math.round(14 / h) + 1;
  const axis = Array.from({ length: n }, (_, i) => -7 + i * h);
  const grid = axis.flatMap((a) => axis.flatMap((b) => [a, b]));
  return tf.tidy(() => tf.sum(tf.exp(logDensity(tf.tensor2d(grid, [n * n, 2])))).dataSync()[0]! * h * h);
}

describe('two stochastic layers', () => {
  it('the prior p(z₂) p(z₁|z₂) is a density: it integrates to 1', () => {
    const { store, prior } = parts();
    expect(integrate((z) => prior.logProb(z))).toBeCloseTo(1, 2);
    store.dispose();
  });

  it('the posterior q(z₁|x) q(z₂|z₁) integrates to 1, and [k, batch, ·] samples get [k, batch] log-densities', () => {
    const { store, family } = parts();
    const q = () => family.posterior(new DiagonalGaussian(tf.tensor2d([[0.4], [-1]]), tf.tensor2d([[-0.5], [0.2]])));
    // Each row of the batch is its own density: integrate the first row's.
    const first = () => new DiagonalGaussian(tf.tensor2d([[0.4]]), tf.tensor2d([[-0.5]]));
    expect(integrate((z) => family.posterior(first()).logProb(z))).toBeCloseTo(1, 2);
    tf.tidy(() => {
      const zk = q().rsampleK(3, 5);
      expect(zk.shape).toEqual([3, 2, 2]);
      const lp = q().logProb(zk);
      expect(lp.shape).toEqual([3, 2]);
      // The same as evaluating each sample on its own.
      const one = q().logProb(tf.reshape(tf.slice(zk, [1, 0, 0], [1, 2, 2]), [2, 2]));
      expect(Array.from(one.dataSync())).toEqual(Array.from(tf.slice(lp, [1, 0], [1, 2]).dataSync()).map((v) => expect.closeTo(v, 5)));
      expect(family.decoderInput(tf.reshape(tf.slice(zk, [0, 0, 0], [1, 2, 2]), [2, 2]) as tf.Tensor2D).shape).toEqual([2, 1]);
    });
    store.dispose();
  });

  it('prior samples are [z₁, z₂] rows, the same for the same seed', () => {
    const { store, prior } = parts();
    const [a, b] = tf.tidy(() => [prior.sample(5, 3).arraySync(), prior.sample(5, 3).arraySync()]);
    expect(a).toHaveLength(5);
    expect(a[0]).toHaveLength(2);
    expect(a).toEqual(b);
    store.dispose();
  });
});
