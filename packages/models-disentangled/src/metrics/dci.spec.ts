import { describe, expect, it } from 'vitest';
import { RandomStream } from '@elbo/core';
import { completeness, dci, disentanglement } from './dci.js';
import { standardCases } from './synthetic-ground-truth.js';

const { data, perfect, entangled, random } = standardCases();
const run = (rep: Parameters<typeof dci>[0]) => dci(rep, data, new RandomStream('metric/dci', 1), { numTrain: 2000, numTest: 1000 });

describe('DCI', () => {
  it('the factors themselves: D = C = 1 (each code is used for one factor only) and I = 1', async () => {
    const s = await run(perfect);
    expect(s.disentanglement).toBeGreaterThan(0.99);
    expect(s.completeness).toBeGreaterThan(0.99);
    expect(s.informativeness_test).toBeGreaterThan(0.99);
  });

  it('rotated a/b codes: D = C ≈ 0.75 — two of four codes split their importance between two factors — and still I = 1', async () => {
    // A code used equally by two of four factors has 1 − H₄(½, ½) = 0.5; two such codes and two clean ones, equal weight → 0.75.
    const s = await run(entangled);
    for (const key of ['disentanglement', 'completeness'] as const) {
      expect(s[key]).toBeGreaterThan(0.65);
      expect(s[key]).toBeLessThan(0.85);
    }
    expect(s.informativeness_test).toBeGreaterThan(0.99);
  });

  it('random codes: importance spread evenly, D and C ≈ 0, test informativeness ≈ chance (≈ 0.20)', async () => {
    const s = await run(random);
    expect(s.disentanglement).toBeLessThan(0.05);
    expect(s.completeness).toBeLessThan(0.05);
    expect(s.informativeness_test).toBeLessThan(0.3);
  });

  it('pure cores: identity importance 1, uniform 0, all-zero 0', () => {
    const eye = Float64Array.from([1, 0, 0, 1]);
    expect([disentanglement(eye, 2, 2), completeness(eye, 2, 2)].map((v) => +v.toFixed(9))).toEqual([1, 1]);
    const flat = new Float64Array(4).fill(0.25);
    expect([disentanglement(flat, 2, 2), completeness(flat, 2, 2)].map((v) => +v.toFixed(9))).toEqual([0, 0]);
    expect(disentanglement(new Float64Array(4), 2, 2)).toBeCloseTo(0, 9);
  });

  it('importance: boosted-trees (disentanglement_lib’s model) agrees on the known cases: perfect ≈ 1, rotated ≈ 0.75, random ≈ 0', async () => {
    const boosted = (rep: Parameters<typeof dci>[0]) =>
      dci(rep, data, new RandomStream('metric/dci', 1), { numTrain: 1000, numTest: 500, importance: 'boosted-trees', rounds: 20 });
    const [p, e, r] = [await boosted(perfect), await boosted(entangled), await boosted(random)];
    expect([p.disentanglement, p.completeness, p.informativeness_test].every((v) => v > 0.98)).toBe(true);
    expect(e.disentanglement).toBeGreaterThan(0.6);
    expect(e.disentanglement).toBeLessThan(0.9);
    expect(e.informativeness_test).toBeGreaterThan(0.95);
    expect(r.disentanglement).toBeLessThan(0.1);
    expect(r.informativeness_test).toBeLessThan(0.35);
  });
});
