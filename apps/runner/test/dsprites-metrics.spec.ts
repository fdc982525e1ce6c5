import { describe, expect, it } from 'vitest';
import { RandomStream, mulberry32 } from '@elbo/core';
import { loadDsprites } from '@elbo/datasets';
import { factorVaeScore, groundTruthData, mig, type Representation } from '@elbo/models-disentangled';

/**
 * A hand-written "encoder" of dSprites images: the on-pixels' mean column and mean row, the square
 * root of their count, and one uniform noise code. It recovers posX and posY exactly, mixes scale with
 * shape (area = shape area × scale²), and knows nothing about orientation.
 */
function handcrafted(seed: number): Representation {
  const u = mulberry32(seed);
  return async (x, count) => {
    const out = new Float32Array(count * 4);
    for (let i = 0; i < count; i++) {
      let on = 0;
      let row = 0;
      let col = 0;
      for (let j = 0; j < 4096; j++) {
        if (x[i * 4096 + j]) {
          on++;
          row += j >> 6;
          col += j & 63;
        }
      }
      out.set([col / on, row / on, Math.sqrt(on), u()], i * 4);
    }
    return out;
  };
}

describe('metrics on the dSprites generator’s factors', async () => {
  const dsprites = await loadDsprites({ testSize: 100 });
  const data = groundTruthData(dsprites.train);

  it('MIG: positions are disentangled, orientation is not captured, shape and scale share one code', async () => {
    const s = await mig(handcrafted(1), data, new RandomStream('metric/mig', 1), { numTrain: 3000 });
    expect(Object.keys(s)).toEqual(['mig', 'mig_shape', 'mig_scale', 'mig_orientation', 'mig_posX', 'mig_posY']); // color skipped
    // posX has 32 classes but the code is cut into 20 bins: at most log 20 / log 32 ≈ 0.86 of its entropy.
    for (const k of ['mig_posX', 'mig_posY'] as const) {
      expect(s[k]).toBeGreaterThan(0.6);
      expect(s[k]).toBeLessThan(0.87);
    }
    expect(s.mig_orientation).toBeLessThan(0.02);
    expect(s.mig).toBeGreaterThan(0.4);
    expect(s.mig).toBeLessThan(0.75);
  });

  it('FactorVAE score: the votes for posX, posY and scale land on their codes; shape and orientation have none', async () => {
    const s = await factorVaeScore(handcrafted(2), data, new RandomStream('metric/factorvae', 1), { numTrain: 300, numEval: 200, numVarianceEstimate: 2000 });
    // 3 of 5 factors own a code; shape's and orientation's votes are spread, so ≈ 0.6 plus what they win by chance.
    expect(s.eval_accuracy).toBeGreaterThan(0.5);
    expect(s.eval_accuracy).toBeLessThan(0.85);
    expect(s.num_active_dims).toBe(4);
  });

  it('metrics that fix factors refuse the test subset; sampling metrics accept it', async () => {
    const test = groundTruthData(dsprites.test);
    await expect(factorVaeScore(handcrafted(3), test, new RandomStream('m', 1), { numTrain: 5, numEval: 5, numVarianceEstimate: 50 })).rejects.toThrow(
      /needs the full factor grid/,
    );
    expect((await mig(handcrafted(3), test, new RandomStream('m', 1), { numTrain: 100 })).mig).toBeGreaterThan(0);
  });
});
