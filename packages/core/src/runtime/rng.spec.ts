import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';

describe('Rng', () => {
  it('streams are repeatable from the seed and independent of each other', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = [a.stream('noise').nextSeed(), a.stream('noise').nextSeed()];
    b.stream('shuffle').nextSeed(); // a draw elsewhere must not shift "noise"
    expect([b.stream('noise').nextSeed(), b.stream('noise').nextSeed()]).toEqual(xs);
    expect(new Rng(43).stream('noise').nextSeed()).not.toEqual(xs[0]);
  });

  it('restoring the state continues the same sequence', () => {
    const a = new Rng(7);
    a.stream('s').permutation(10);
    const saved = a.state();
    const next = a.stream('s').permutation(10);
    const b = new Rng(7);
    b.restore(saved);
    expect(b.stream('s').permutation(10)).toEqual(next);
  });

  it('permutations contain every index once', () => {
    const p = new Rng(1).stream('p').permutation(1000);
    expect(new Set(p).size).toBe(1000);
    expect(Math.min(...p)).toBe(0);
    expect(Math.max(...p)).toBe(999);
  });
});
