import { describe, expect, it } from 'vitest';
import { auroc } from './auroc.js';

/** The definition, by brute force over all pairs. */
function pairwise(s: number[], pos: boolean[]): number {
  let win = 0;
  let pairs = 0;
  for (let i = 0; i < s.length; i++) {
    for (let j = 0; j < s.length; j++) {
      if (!pos[i] || pos[j]) continue;
      pairs++;
      win += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
    }
  }
  return win / pairs;
}

describe('auroc', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one, ½ for all ties', () => {
    expect(auroc([1, 2, 3, 4], [false, false, true, true])).toBe(1);
    expect(auroc([4, 3, 2, 1], [false, false, true, true])).toBe(0);
    expect(auroc([5, 5, 5, 5], [true, false, true, false])).toBe(0.5);
  });

  it('matches the pairwise definition, ties counting one half', () => {
    let seed = 7;
    const u = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let trial = 0; trial < 20; trial++) {
      const s = Array.from({ length: 60 }, () => Math.round(u() * 10));
      const pos = Array.from({ length: 60 }, (_, i) => i % 3 === 0 || u() < 0.2);
      expect(auroc(s, pos)).toBeCloseTo(pairwise(s, pos), 12);
    }
  });

  it('needs both classes, equal lengths and no NaN', () => {
    expect(() => auroc([1, 2], [true, true])).toThrow('positives and negatives, got 2 and 0');
    expect(() => auroc([1, 2], [true])).toThrow('2 scores but 1 labels');
    expect(() => auroc([1, NaN], [true, false])).toThrow('score 1 is NaN');
  });
});
