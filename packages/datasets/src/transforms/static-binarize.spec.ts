import { describe, expect, it } from 'vitest';
import { RandomStream } from '@elbo/core';
import { binarizeStatic } from './static-binarize.js';

describe('binarizeStatic', () => {
  it('thresholds value i with draw i: x′ = 1[u < x·scale]', () => {
    const draws = [0.1, 0.5, 0.9, 0.3];
    let k = 0;
    const out = binarizeStatic(Float32Array.from([0.2, 0.2, 1, 0]), () => draws[k++]!);
    expect(Array.from(out)).toEqual([1, 0, 1, 0]);
    k = 0;
    expect(Array.from(binarizeStatic(Uint8Array.from([51, 51, 255, 0]), () => draws[k++]!, 1 / 255))).toEqual([1, 0, 1, 0]);
  });

  it('is seeded, prefix-stable, keeps the input and matches the grey level on average', () => {
    const x = new Float32Array(20_000).fill(0.3);
    const a = binarizeStatic(x, new RandomStream('s', 5).nextGenerator());
    const b = binarizeStatic(x.subarray(0, 100), new RandomStream('s', 5).nextGenerator());
    const c = binarizeStatic(x, new RandomStream('s', 6).nextGenerator());
    expect(Array.from(b)).toEqual(Array.from(a.subarray(0, 100)));
    expect(Array.from(c.subarray(0, 100))).not.toEqual(Array.from(b));
    expect(x[0]).toBeCloseTo(0.3);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    expect(Math.abs(mean - 0.3)).toBeLessThan(0.02);
  });
});
