import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { DiagonalGaussian, validate, type Divergence, type ModelShape, StandardNormalPrior } from '@elbo/core';
import { selectBackend } from '@elbo/compute';
import { betaDivergence, capacityAt } from './beta-divergence.js';
import { createDivergence } from '../../test/create-divergence.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const shape: ModelShape = { dataShape: [4], dataDim: 4, latentDim: 2, conditionDim: 0, likelihoodParams: ['logits'], datasetSize: 100 };
const prior = new StandardNormalPrior(2);

const create = (options: Record<string, unknown>): Promise<Divergence> => createDivergence(betaDivergence, options, shape);

/** q = N([1, −1], diag(e^{−1})) for both examples: KL = Σ_d ½(σ² + μ² − 1 − log σ²) per example. */
const KL = 2 * 0.5 * (Math.exp(-1) + 1 - 1 + 1);

async function terms(div: Divergence, step: number): Promise<Record<string, number>> {
  const out = tf.tidy(() => {
    const q = new DiagonalGaussian(tf.tensor2d([1, -1, 1, -1], [2, 2]), tf.fill([2, 2], -1) as tf.Tensor2D);
    const z = tf.tensor2d([0.5, -0.5, 1, -1], [2, 2]);
    const t = div.terms(q, prior.distribution(2), z, prior, { step, datasetSize: 100, seed: 1 });
    return { total: t.total, ...t.parts };
  });
  const v = Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.dataSync()[0]!]));
  tf.dispose(Object.values(out));
  return v;
}

describe('divergence/beta', () => {
  it('resolves to what the run uses: β (4 by default), or the capacity settings', () => {
    const plain = validate(betaDivergence.options, {}, 'd');
    expect(plain.ok && plain.value).toEqual({ beta: 4, capacity: null });
    const cap = validate(betaDivergence.options, { capacity: {} }, 'd');
    expect(cap.ok && cap.value).toEqual({ capacity: { max: 25, steps: 100_000, gamma: 1000 } });
    // A resolved section validates again unchanged (a run folder's config.yaml reproduces the run).
    for (const r of [plain, cap]) {
      const again = r.ok ? validate(betaDivergence.options, r.value, 'd') : undefined;
      expect(again?.ok && again.value).toEqual(r.ok && r.value);
    }
  });

  it('reports options that cannot apply, with the config path', () => {
    const both = validate(betaDivergence.options, { beta: 2, capacity: { max: 10 } }, 'model.divergence');
    expect(both.ok ? [] : both.problems).toEqual([
      'model.divergence.beta: β does not apply with capacity control (the objective is γ·|KL − C|): remove beta, or set capacity: null',
    ]);
    const bad = validate(betaDivergence.options, { capacity: { steps: 0 } }, 'model.divergence');
    expect(bad.ok ? [] : bad.problems).toEqual(['model.divergence.capacity.steps: expected a positive integer, got 0']);
  });

  it('β·KL with the closed-form KL', async () => {
    const t = await terms(await create({ beta: 3 }), 0);
    expect(t['kl']).toBeCloseTo(KL, 5);
    expect(t['total']).toBeCloseTo(3 * KL, 5);
    expect(Object.keys(t).sort()).toEqual(['kl', 'total']);
  });

  it('C rises linearly per optimisation step and then holds', () => {
    const c = { max: 20, steps: 1000 };
    expect([0, 1, 250, 500, 999, 1000, 5000].map((s) => capacityAt(c, s))).toEqual([0, 0.02, 5, 10, 19.98, 20, 20]);
  });

  it('γ·|KL − C(step)| with C from the global step, reported as the capacity part', async () => {
    const div = await create({ capacity: { max: 4, steps: 100, gamma: 10 } });
    for (const step of [0, 25, 50, 100, 1000]) {
      const t = await terms(div, step);
      const C = Math.min(4, (4 * step) / 100);
      expect(t['capacity']).toBeCloseTo(C, 5);
      expect(t['kl']).toBeCloseTo(KL, 5);
      expect(t['total']).toBeCloseTo(10 * Math.abs(KL - C), 4);
    }
  });

  it('releases every intermediate tensor', async () => {
    const div = await create({ capacity: {} });
    await terms(div, 3);
    const before = tf.memory().numTensors;
    await terms(div, 4);
    expect(tf.memory().numTensors).toBe(before);
  });
});
