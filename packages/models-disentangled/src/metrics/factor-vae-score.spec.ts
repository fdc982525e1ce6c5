import { describe, expect, it } from 'vitest';
import { RandomStream } from '@elbo/core';
import { factorVaeScore } from './factor-vae-score.js';
import { factorRepresentation, standardCases } from './synthetic-ground-truth.js';

const small = { batchSize: 16, numTrain: 300, numEval: 300, numVarianceEstimate: 1000 };
const run = (rep: Parameters<typeof factorVaeScore>[0]) => factorVaeScore(rep, standardCases().data, new RandomStream('metric/factorvae', 1), small);

describe('FactorVAE score', () => {
  const { perfect, entangled, random } = standardCases();

  it('scores the factors themselves 1: the fixed factor’s dimension has zero variance', async () => {
    expect(await run(perfect)).toEqual({ train_accuracy: 1, eval_accuracy: 1, num_active_dims: 4 });
  });

  it('rotated a/b codes score ≈ 0.75: a and b vote for the same two dimensions, the majority vote gives both to one factor', async () => {
    const s = (await run(entangled)).eval_accuracy!;
    expect(s).toBeGreaterThan(0.62);
    expect(s).toBeLessThan(0.86);
  });

  it('random codes score near chance (1/4 plus what majority voting overfits)', async () => {
    expect((await run(random)).eval_accuracy).toBeLessThan(0.45);
  });

  it('prunes collapsed dimensions: a code dimension of (near-)constant value gets no votes', async () => {
    // The perfect codes plus one dimension that barely moves (std 0.01 < threshold 0.05).
    const withDead = factorRepresentation([4, 1, 3, 2, 1], [2, -3, 10, -3, 0.02]);
    expect(await run(withDead)).toEqual({ train_accuracy: 1, eval_accuracy: 1, num_active_dims: 4 });
    const allDead = factorRepresentation([1, 2], [0.001, 0.001]);
    expect(await run(allDead)).toEqual({ train_accuracy: 0, eval_accuracy: 0, num_active_dims: 0 });
  });
});
