import { describe, expect, it } from 'vitest';
import { RandomStream } from '@elbo/core';
import { gaussianTotalCorrelation } from './gaussian-tc.js';
import { factorRepresentation, standardCases } from './synthetic-ground-truth.js';
import type { Representation } from './representation.js';

const { data, perfect, entangled, random } = standardCases();
const tc = async (rep: Representation) => (await gaussianTotalCorrelation(rep, data, new RandomStream('metric/gaussian-tc', 1), { numTrain: 5000 })).gaussian_total_correlation!;

/** Codes (a, a + b): a and b independent with equal variance, so corr = 1/√2 and TC = −½ log(1 − ½) = ½ log 2. */
const sheared: Representation = async (x, count) => {
  const out = new Float32Array(count * 2);
  for (let i = 0; i < count; i++) out.set([x[i * 5 + 1]!, x[i * 5 + 1]! + x[i * 5 + 2]!], i * 2);
  return out;
};

describe('Gaussian total correlation of the mean codes', () => {
  it('is ≈ 0 for independent codes — the factors, their 45° rotation (still uncorrelated) and random codes', async () => {
    for (const rep of [perfect, entangled, random]) expect(await tc(rep)).toBeLessThan(0.01);
  });

  it('approaches the analytic ½ log 2 for correlated codes', async () => {
    expect(await tc(sheared)).toBeCloseTo(0.5 * Math.log(2), 1);
  });

  it('drops constant dimensions and stays finite for duplicated ones', async () => {
    const withConstant = await gaussianTotalCorrelation(factorRepresentation([1, 2, 0], [1, 1, 1]), data, new RandomStream('t', 1), { numTrain: 500 });
    expect(withConstant.num_dims).toBe(2); // color has one class: its code is constant
    const duplicated = await gaussianTotalCorrelation(factorRepresentation([1, 1], [1, 2]), data, new RandomStream('t', 1), { numTrain: 500 });
    expect(Number.isFinite(duplicated.gaussian_total_correlation)).toBe(true);
    expect(duplicated.gaussian_total_correlation).toBeGreaterThan(5);
  });
});
