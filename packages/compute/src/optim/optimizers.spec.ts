/**
 * SGD (with and without Nesterov momentum), RMSprop and AdamW take the steps their formulas give,
 * computed here by hand in float64 for two steps on a small parameter, and leak nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend.js';
import { Adam } from './adam.js';
import type { Optimizer } from './optimizer.js';
import { Rmsprop, Sgd } from './sgd.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const theta0 = [0.5, -1.5, 2];
const grads = [
  [0.1, -0.2, 0.3],
  [-0.4, 0.5, 0.25],
];

/** Two steps of `make` on θ0 with the fixed gradients; the parameter values after each. */
function run(make: (p: Map<string, tf.Variable>) => Optimizer): number[][] {
  const before = tf.memory().numTensors;
  const p = new Map([['w', tf.tidy(() => tf.variable(tf.tensor1d(theta0)))]]);
  const opt = make(p);
  const out = grads.map((g) => {
    opt.apply(new Map([['w', tf.tensor1d(g)]]));
    return [...(p.get('w')!.dataSync() as Float32Array)];
  });
  opt.dispose();
  p.get('w')!.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return out;
}

function expectClose(actual: number[][], expected: number[][]): void {
  actual.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 5)));
}

describe('optimisers', () => {
  it('sgd: b ← μb + g; θ ← θ − lr·b (Nesterov: θ ← θ − lr·(g + μb))', () => {
    for (const nesterov of [false, true]) {
      const lr = 0.1;
      const mu = 0.9;
      const th = [...theta0];
      const b = [0, 0, 0];
      const expected = grads.map((g) => {
        g.forEach((gj, j) => {
          b[j] = mu * b[j]! + gj;
          th[j]! -= lr * (nesterov ? gj + mu * b[j]! : b[j]!);
        });
        return [...th];
      });
      expectClose(
        run((p) => new Sgd(p, { lr, momentum: mu, nesterov, clipNorm: null })),
        expected,
      );
    }
  });

  it('rmsprop: s ← ρs + (1−ρ)g²; θ ← θ − lr·g/(√s + ε)', () => {
    const [lr, rho, eps] = [0.01, 0.9, 1e-8];
    const th = [...theta0];
    const s = [0, 0, 0];
    const expected = grads.map((g) => {
      g.forEach((gj, j) => {
        s[j] = rho * s[j]! + (1 - rho) * gj * gj;
        th[j]! -= (lr * gj) / (Math.sqrt(s[j]!) + eps);
      });
      return [...th];
    });
    expectClose(
      run((p) => new Rmsprop(p, { lr, rho, epsilon: eps, clipNorm: null })),
      expected,
    );
  });

  it('adamw: θ ← θ − lr·λ·θ, then the Adam step (Loshchilov & Hutter 2019)', () => {
    const [lr, b1, b2, eps, wd] = [0.01, 0.9, 0.999, 1e-8, 0.1];
    const th = [...theta0];
    const m = [0, 0, 0];
    const v = [0, 0, 0];
    const expected = grads.map((g, i) => {
      const t = i + 1;
      g.forEach((gj, j) => {
        th[j]! *= 1 - lr * wd;
        m[j] = b1 * m[j]! + (1 - b1) * gj;
        v[j] = b2 * v[j]! + (1 - b2) * gj * gj;
        const mHat = m[j]! / (1 - b1 ** t);
        const vHat = v[j]! / (1 - b2 ** t);
        th[j]! -= (lr * mHat) / (Math.sqrt(vHat) + eps);
      });
      return [...th];
    });
    expectClose(
      run((p) => new Adam(p, { lr, beta1: b1, beta2: b2, epsilon: eps, clipNorm: null, weightDecay: wd })),
      expected,
    );
  });

  it('clipping scales every gradient by min(1, clip/‖g‖) and reports the norm', () => {
    const p = new Map([['w', tf.variable(tf.tensor1d([0, 0]))]]);
    const sgd = new Sgd(p, { lr: 1, momentum: 0, nesterov: false, clipNorm: 1 });
    const norm = sgd.apply(new Map([['w', tf.tensor1d([3, 4])]]))!;
    expect(norm.dataSync()[0]).toBeCloseTo(5, 5);
    expectClose([[...(p.get('w')!.dataSync() as Float32Array)]], [[-0.6, -0.8]]);
    norm.dispose();
    sgd.dispose();
    p.get('w')!.dispose();
  });
});
