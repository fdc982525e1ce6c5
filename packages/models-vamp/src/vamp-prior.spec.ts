import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Mlp, selectBackend } from '@elbo/compute';
import { DiagonalGaussian, GaussianHeadEncoder, ParameterStore, Rng } from '@elbo/core';
import { VampPrior } from './vamp-prior.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

/** A real MLP encoder 5-8-(2+2) and a VampPrior with `k` pseudo-inputs over it. */
function prior(k: number): VampPrior {
  const store = new ParameterStore();
  const e = store.scope('encoder');
  const encoder = new GaussianHeadEncoder(e, new Mlp(e, 5, [8], 4, 'tanh', new Rng(2).stream('init')));
  const p = new VampPrior(store.scope('prior'), encoder, k, 5, 77);
  // Spread the pseudo-inputs over [0, 1] so the components differ.
  p.pseudoInputs.assign(tf.randomUniform([k, 5], 0, 1, 'float32', 9));
  return p;
}

const z = () => tf.tensor3d([0.3, -1.2, 1.5, 0.2, -0.4, 0.9, 0, 0, 2, -2, 0.7, 0.1], [2, 3, 2]); // [2 samples, 3 rows, L = 2]

describe('prior/vamp', () => {
  it('with one pseudo-input is the Gaussian q(z|u₁)', () => {
    const p = prior(1);
    const [mix, gauss] = tf.tidy(() => {
      const q = p.components();
      const single = new DiagonalGaussian(q.mean, q.logVar); // [1, L] broadcasts against [2, 3, L]
      return [p.logProb(z()).arraySync(), single.logProb(z()).arraySync()];
    });
    expect(mix).toHaveLength(2);
    expect((mix as number[][]).flat()).toEqual((gauss as number[][]).flat().map((v) => expect.closeTo(v, 4)));
  });

  it('with K pseudo-inputs is log (1/K) Σ_k N(z; μ_k, σ_k²), computed here in double precision', () => {
    const p = prior(3);
    const [mix, mu, logVar] = tf.tidy(() => {
      const q = p.components();
      return [p.logProb(z()).arraySync() as number[][], q.mean.arraySync() as number[][], q.logVar.arraySync() as number[][]];
    });
    const zs = z().arraySync() as number[][][];
    zs.forEach((rows, s) =>
      rows.forEach((row, r) => {
        const dens = mu.map((m, k) => Math.exp(row.reduce((acc, v, d) => acc - 0.5 * (Math.log(2 * Math.PI) + logVar[k]![d]! + (v - m[d]!) ** 2 / Math.exp(logVar[k]![d]!)), 0)));
        expect(mix[s]![r]).toBeCloseTo(Math.log(dens.reduce((a, b) => a + b, 0) / 3), 4);
      }),
    );
  });

  it('samples one row per example, the same rows for the same seed', () => {
    const p = prior(4);
    const [a, b] = tf.tidy(() => [p.sample(6, 11).arraySync(), p.sample(6, 11).arraySync()]);
    expect(a).toHaveLength(6);
    expect(a).toEqual(b);
  });
});
