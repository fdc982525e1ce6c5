import { describe, expect, it } from 'vitest';
import { RandomStream } from '@elbo/core';
import { betaVaeScore } from './beta-vae-score.js';
import { standardCases, syntheticGroundTruth, factorRepresentation } from './synthetic-ground-truth.js';

const small = { batchSize: 16, numTrain: 500, numEval: 300 };
const score = async (rep: Parameters<typeof betaVaeScore>[0], data = standardCases().data) =>
  (await betaVaeScore(rep, data, new RandomStream('metric/betavae', 1), small)).eval_accuracy!;

describe('BetaVAE score', () => {
  const { perfect, entangled, random } = standardCases();

  it('scores the factors themselves 1: the fixed factor’s code dimension never moves', async () => {
    expect(await score(perfect)).toBe(1);
  });

  it('rotated a/b codes score ≈ 0.75: fixing a or fixing b gives the same features, so those two are a coin toss', async () => {
    // Expected accuracy: c and d always right (2/4), a and b right half of the time (2 × 0.5/4) = 0.75.
    const s = await score(entangled);
    expect(s).toBeGreaterThan(0.62);
    expect(s).toBeLessThan(0.86);
  });

  it('random codes score near chance, 1/4 for four factors', async () => {
    expect(await score(random)).toBeLessThan(0.4);
  });

  it('is repeatable from its stream, and refuses a split that is not the full grid', async () => {
    const data = standardCases().data;
    expect(await betaVaeScore(perfect, data, new RandomStream('s', 3), small)).toEqual(await betaVaeScore(perfect, data, new RandomStream('s', 3), small));
    const subset = { ...data, factors: { ...data.factors, indexOf: () => -1 } };
    await expect(betaVaeScore(perfect, subset, new RandomStream('s', 1), small)).rejects.toThrow(/needs the full factor grid/);
    const one = syntheticGroundTruth(['x'], [1]);
    await expect(betaVaeScore(factorRepresentation([0], [1]), one, new RandomStream('s', 1), small)).rejects.toThrow('betavae: no factor left to score');
  });
});
