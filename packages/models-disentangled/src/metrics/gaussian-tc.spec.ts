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

  it('of the sampled code (representation: sampled) adds the posterior noise: ½ log 2 for the sheared means falls to the analytic −½ log(5/6)', async () => {
    // Means (a, a + b) with var a = var b = v = 1/8 (five equally spaced values in [0, 1]) and
    // posterior variance v in each dimension: corr² = v² / (2v · 3v) = 1/6.
    const withPosterior: Representation = Object.assign(async (x: Float32Array, count: number) => sheared(x, count), {
      posterior: async (x: Float32Array, count: number) => ({ mean: await sheared(x, count), logVar: new Float32Array(count * 2).fill(Math.log(1 / 8)) }),
    });
    const opts = { numTrain: 20000, representation: 'sampled' as const };
    const s = (await gaussianTotalCorrelation(withPosterior, data, new RandomStream('metric/gaussian-tc', 1), opts)).gaussian_total_correlation!;
    expect(Math.abs(s - -0.5 * Math.log(5 / 6))).toBeLessThan(0.015); // ±5 standard errors at n = 20,000
    expect(await tc(withPosterior)).toBeCloseTo(0.5 * Math.log(2), 1); // the default reads the means
    await expect(gaussianTotalCorrelation(sheared, data, new RandomStream('t', 1), opts)).rejects.toThrow(/needs q\(z\|x\)/);
  });
});
