import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@elbo/compute';
import { Normal } from './normal.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const arr = (t: tf.Tensor) => Array.from(t.dataSync());

describe('Normal', () => {
  it('log-density equals Σ log N(x; μ, σ²)', () => {
    tf.tidy(() => {
      const mu = [0.2, 0.8];
      const sigma = [0.1, 0.5];
      const x = [0.25, 0.1];
      const direct = x.reduce((s, xi, i) => s - 0.5 * Math.log(2 * Math.PI * sigma[i]! ** 2) - (xi - mu[i]!) ** 2 / (2 * sigma[i]! ** 2), 0);
      const n = new Normal(tf.tensor2d([mu]), tf.log(tf.tensor2d([sigma])));
      expect(arr(n.logProb(tf.tensor2d([x])))[0]).toBeCloseTo(direct, 4);
    });
  });
});
