import { describe, expect, it } from 'vitest';
import { RandomStream } from '@elbo/core';
import { mig } from './mig.js';
import { standardCases, withPosterior } from './synthetic-ground-truth.js';

const { data, perfect, entangled, random } = standardCases();
const histogram = (rep: Parameters<typeof mig>[0], bins = 20) => mig(rep, data, new RandomStream('metric/mig', 1), { numTrain: 2000, bins });
// σ = 0.05 is far below the codes' class spacing (≥ 0.75), so q(z|x) barely blurs the classes.
const chen = (rep: Parameters<typeof mig>[0], exclude?: string[]) =>
  mig(withPosterior(rep, 0.05), data, new RandomStream('metric/mig', 1), { numTrain: 1000, estimator: 'chen', ...(exclude ? { exclude } : {}) });

describe('MIG (histogram estimator, disentanglement_lib)', () => {
  it('scores the factors themselves ≈ 1: each factor’s own code holds all of its entropy, the others none', async () => {
    const s = await histogram(perfect);
    expect(s.mig).toBeGreaterThan(0.95);
    expect(Object.keys(s)).toEqual(['mig', 'mig_a', 'mig_b', 'mig_c', 'mig_d']); // color (one class) is not scored
  });

  it('rotated a/b codes score ≈ 0.5: a and b each inform two codes equally (gap ≈ 0), c and d keep gap ≈ 1', async () => {
    // The rotated codes take 9 equally spaced values; with 20 bins every second value sits exactly on a
    // bin edge, where float32 rounding of (a ± b)/√2 splits it between two bins and leaks which (a, b)
    // produced it. 21 bins keep every value inside a bin.
    const s = await histogram(entangled, 21);
    expect(s.mig).toBeGreaterThan(0.45);
    expect(s.mig).toBeLessThan(0.56);
    expect(s.mig_a).toBeLessThan(0.08);
    expect(s.mig_c).toBeGreaterThan(0.95);
  });

  it('random codes score ≈ 0 (only the plug-in estimator’s small positive bias)', async () => {
    expect((await histogram(random)).mig).toBeLessThan(0.02);
  });
});

describe('MIG (chen estimator, Chen et al. 2018)', () => {
  it('orders the three cases the same way', async () => {
    expect((await chen(perfect)).mig).toBeGreaterThan(0.9);
    const mid = (await chen(entangled)).mig!;
    expect(mid).toBeGreaterThan(0.42);
    expect(mid).toBeLessThan(0.56);
    expect((await chen(random)).mig).toBeLessThan(0.03);
  });

  it('excludes `shape` by default when the data has it, other names on request; needs the posterior', async () => {
    expect(Object.keys(await chen(perfect, ['b', 'd']))).toEqual(['mig', 'mig_a', 'mig_c']);
    await expect(chen(perfect, ['shape'])).rejects.toThrow('mig.exclude: no factor named "shape" (factors: color, a, b, c, d)');
    await expect(mig(perfect, data, new RandomStream('m', 1), { numTrain: 50, estimator: 'chen' })).rejects.toThrow(/needs q\(z\|x\)/);
  });
});
