import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@elbo/compute';
import { Normal } from './normal.js';
import { DiscretisedLogisticLikelihood, discretisedLogisticOptions } from './discretised-logistic-likelihood.js';

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

describe('likelihood/discretised-logistic', () => {
  const lik = new DiscretisedLogisticLikelihood(discretisedLogisticOptions.parse({}));
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  const levels = Array.from({ length: 256 }, (_, i) => i / 255);

  it('gives each of the 256 levels the logistic’s mass on its bin (double precision), summing to 1', () => {
    for (const [mu, logS] of [
      [0.3, -3],
      [0.97, -4.5],
      [0.02, -2],
    ] as const) {
      const logP = tf.tidy(() => {
        const p = { mean: tf.fill([1, 256], mu) as tf.Tensor2D, logScale: tf.fill([1, 256], logS) as tf.Tensor2D };
        return Array.from(lik.logMass(tf.tensor2d([levels]), p).dataSync());
      });
      const s = Math.exp(logS);
      const cdf = (v: number) => sigmoid((v - mu) / s);
      const h = 1 / 510;
      const direct = levels.map((x, i) => (i === 0 ? cdf(x + h) : i === 255 ? 1 - cdf(x - h) : cdf(x + h) - cdf(x - h)));
      logP.forEach((lp, i) => {
        if (direct[i]! > 1e-4) expect(Math.exp(lp)).toBeCloseTo(direct[i]!, 5);
      });
      expect(logP.reduce((a, lp) => a + Math.exp(lp), 0)).toBeCloseTo(1, 4);
    }
  });

  it('sums log-masses over values, and samples levels in [0, 1]', () => {
    tf.tidy(() => {
      const p = { mean: tf.tensor2d([[0.1, 0.5, 0.9]]), logScale: tf.tensor2d([[-3, -3, -3]]) };
      const x = tf.tensor2d([[0, 0.5, 1]]);
      expect(lik.logProb(x, p).dataSync()[0]).toBeCloseTo(tf.sum(lik.logMass(x, p)).dataSync()[0]!, 5);
      const s = Array.from(lik.sample(p, 3).dataSync());
      for (const v of s) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
        expect(Math.abs(v * 255 - Math.round(v * 255))).toBeLessThan(1e-3);
      }
    });
  });
});
