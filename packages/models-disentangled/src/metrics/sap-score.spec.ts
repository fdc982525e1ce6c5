import { describe, expect, it } from 'vitest';
import { RandomStream } from '@elbo/core';
import { sapScore, type SapScoreOptions } from './sap-score.js';
import { standardCases } from './synthetic-ground-truth.js';

const { data, perfect, entangled, random } = standardCases();
const sap = async (rep: Parameters<typeof sapScore>[0], o: SapScoreOptions = {}) =>
  (await sapScore(rep, data, new RandomStream('metric/sap', 1), { numTrain: 2000, numTest: 1000, ...o })).sap!;

describe('SAP score', () => {
  it('discrete (threshold): the factors themselves score mean(1 − 1/classes) ≈ 0.80 — the top, as the runner-up code predicts at chance', async () => {
    // 1 − 1/5, 1 − 1/5, 1 − 1/4, 1 − 1/6 → 0.796.
    const s = await sap(perfect);
    expect(s).toBeGreaterThan(0.74);
    expect(s).toBeLessThan(0.85);
  });

  it('discrete (threshold): rotated a/b codes score about half that, random codes ≈ 0', async () => {
    const mid = await sap(entangled);
    expect(mid).toBeGreaterThan(0.3);
    expect(mid).toBeLessThan(0.5);
    expect(await sap(random)).toBeLessThan(0.03);
  });

  it('continuous (R²): 1 for the factors, ≈ 0.5 for rotated a/b (R² = 0.5 with both codes), 0 for random codes', async () => {
    expect(await sap(perfect, { continuous: true })).toBeGreaterThan(0.99);
    const mid = await sap(entangled, { continuous: true });
    expect(mid).toBeGreaterThan(0.45);
    expect(mid).toBeLessThan(0.55);
    expect(await sap(random, { continuous: true })).toBeLessThan(0.01);
  });

  it('linear-svm (disentanglement_lib’s classifier) keeps the order but tops out lower on many-class factors', async () => {
    const [top, mid, low] = [await sap(perfect, { classifier: 'linear-svm' }), await sap(entangled, { classifier: 'linear-svm' }), await sap(random, { classifier: 'linear-svm' })];
    expect(top).toBeGreaterThan(mid);
    expect(mid).toBeGreaterThan(low);
    expect(top).toBeLessThan(0.5); // one-vs-rest linear classifiers on one feature separate only the outer classes
    expect(low).toBeLessThan(0.03);
  });
});
