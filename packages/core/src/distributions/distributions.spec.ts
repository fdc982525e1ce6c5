import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { DiagonalGaussian } from './diagonal-gaussian.js';
import { Bernoulli } from './bernoulli.js';
import { registerGradients } from '@elbo/compute';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await registerGradients();
});

const arr = (t: tf.Tensor) => Array.from(t.dataSync());

describe('DiagonalGaussian', () => {
  it('closed-form KL agrees with a Monte-Carlo estimate E_q[log q − log p]', () => {
    tf.tidy(() => {
      const q = new DiagonalGaussian(tf.tensor2d([[0.5, -1.0, 2.0]]), tf.tensor2d([[-0.5, 0.3, -1.2]]));
      const p = new DiagonalGaussian(tf.tensor2d([[0.1, 0.2, 1.5]]), tf.tensor2d([[0.2, -0.4, 0.0]]));
      const analytic = arr(q.kl(p))[0]!;
      const z = q.rsampleK(200_000, 7); // [k, 1, 3]
      const mc = arr(tf.mean(tf.sub(q.logProb(z), p.logProb(z))))[0]!;
      // Standard error of the MC mean here is ≈ 0.005; allow 4σ.
      expect(Math.abs(mc - analytic)).toBeLessThan(0.02);
      expect(analytic).toBeGreaterThan(0);
    });
  });

  it('KL to itself is zero and KL to a standard normal matches ½Σ(μ² + σ² − log σ² − 1)', () => {
    tf.tidy(() => {
      const mu = [0.3, -2, 0];
      const lv = [0.1, -1, 1.5];
      const q = new DiagonalGaussian(tf.tensor2d([mu]), tf.tensor2d([lv]));
      expect(arr(q.kl(q))[0]).toBeCloseTo(0, 6);
      const direct = 0.5 * mu.reduce((s, m, i) => s + m * m + Math.exp(lv[i]!) - lv[i]! - 1, 0);
      expect(arr(q.kl(DiagonalGaussian.standard(1, 3)))[0]).toBeCloseTo(direct, 5);
    });
  });

  it('logProb matches the density formula, also with leading sample axes', () => {
    tf.tidy(() => {
      const q = new DiagonalGaussian(tf.tensor2d([[1, -1]]), tf.tensor2d([[Math.log(4), 0]]));
      const z = [0.5, 0.25];
      const direct = [0, 1].reduce((s, d) => {
        const m = [1, -1][d]!;
        const v = [4, 1][d]!;
        return s - 0.5 * (Math.log(2 * Math.PI * v) + (z[d]! - m) ** 2 / v);
      }, 0);
      expect(arr(q.logProb(tf.tensor2d([z])))[0]).toBeCloseTo(direct, 5);
      expect(q.logProb(tf.tensor3d([[z], [z]])).shape).toEqual([2, 1]);
    });
  });

  it('rsample is z = μ + σ·ε: gradients reach both μ and log σ²', () => {
    const mu = tf.variable(tf.tensor2d([[0.5, -0.5]]));
    const lv = tf.variable(tf.tensor2d([[0.2, -0.3]]));
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(new DiagonalGaussian(mu, lv).rsample(3))) as tf.Scalar, [mu, lv]);
    for (const g of Object.values(grads)) {
      expect(arr(g).every((v) => Number.isFinite(v) && v !== 0)).toBe(true);
    }
    tf.dispose([mu, lv, ...Object.values(grads)]);
  });

  it('samples have the requested mean and variance', () => {
    tf.tidy(() => {
      const q = new DiagonalGaussian(tf.tensor2d([[2, -3]]), tf.tensor2d([[Math.log(0.25), Math.log(9)]]));
      const z = q.rsampleK(50_000, 11);
      const { mean, variance } = tf.moments(z, [0, 1]);
      const m = arr(mean);
      const v = arr(variance);
      expect(m[0]).toBeCloseTo(2, 1);
      expect(m[1]).toBeCloseTo(-3, 1);
      expect(v[0]! / 0.25).toBeCloseTo(1, 1);
      expect(v[1]! / 9).toBeCloseTo(1, 1);
    });
  });
});

describe('Bernoulli', () => {
  it('log-probability equals Σ x log p + (1−x) log(1−p), and stays finite for large logits', () => {
    tf.tidy(() => {
      const logits = [-3, 0.5, 2, 0];
      const x = [0, 1, 1, 0.3];
      const direct = logits.reduce((s, l, i) => {
        const p = 1 / (1 + Math.exp(-l));
        return s + x[i]! * Math.log(p) + (1 - x[i]!) * Math.log(1 - p);
      }, 0);
      expect(arr(new Bernoulli(tf.tensor2d([logits])).logProb(tf.tensor2d([x])))[0]).toBeCloseTo(direct, 5);
      const extreme = arr(new Bernoulli(tf.tensor2d([[80, -80]])).logProb(tf.tensor2d([[0, 1]])))[0]!;
      expect(extreme).toBeCloseTo(-160, 3);
    });
  });
});
