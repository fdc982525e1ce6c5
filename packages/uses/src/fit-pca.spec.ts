import { describe, expect, it } from 'vitest';
import { mulberry32 } from '@elbo/core';
import { fitPca, symmetricEigen } from './fit-pca.js';

describe('symmetricEigen (Jacobi)', () => {
  it('decomposes a symmetric matrix: A v = λ v, orthonormal v', () => {
    const u = mulberry32(4);
    const d = 6;
    const b = Array.from({ length: d * d }, () => u() - 0.5);
    const a = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) a[i * d + j]! += b[i * d + k]! * b[j * d + k]!;
    const { values, vectors } = symmetricEigen(a, d);
    for (let c = 0; c < d; c++) {
      for (let r = 0; r < d; r++) {
        let av = 0;
        for (let k = 0; k < d; k++) av += a[r * d + k]! * vectors[k * d + c]!;
        expect(av).toBeCloseTo(values[c]! * vectors[r * d + c]!, 10);
      }
      for (let c2 = 0; c2 < d; c2++) {
        let dot = 0;
        for (let r = 0; r < d; r++) dot += vectors[r * d + c]! * vectors[r * d + c2]!;
        expect(dot).toBeCloseTo(c === c2 ? 1 : 0, 10);
      }
    }
  });

  it('handles equal eigenvalues (where power iteration stalls)', () => {
    const { values } = symmetricEigen([2, 0, 0, 0, 2, 0, 0, 0, 1], 3);
    expect(Array.from(values).sort()).toEqual([1, 2, 2]);
  });
});

describe('fitPca', () => {
  it('finds the axes of an elongated cloud and their share of the variance', () => {
    const u = mulberry32(9);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
    const n = 4000;
    const rows = new Float32Array(n * 3);
    // Standard deviations 3, 1, 0.1 along (1,1,0)/√2, (1,−1,0)/√2, (0,0,1); mean (5, −2, 1).
    for (let i = 0; i < n; i++) {
      const [a, b, c] = [3 * gauss(), gauss(), 0.1 * gauss()];
      rows.set([5 + (a + b) / Math.SQRT2, -2 + (a - b) / Math.SQRT2, 1 + c], i * 3);
    }
    const pca = fitPca(rows, 3, 2);
    expect(pca.mean[0]).toBeCloseTo(5, 1);
    expect(pca.variances[0]).toBeCloseTo(9, 0);
    expect(pca.variances[1]).toBeCloseTo(1, 1);
    expect(pca.explained[0]).toBeCloseTo(9 / 10.01, 1);
    expect(Math.abs(pca.components[0]![0]!)).toBeCloseTo(Math.SQRT1_2, 2);
    expect(Math.abs(pca.components[1]![2]!)).toBeLessThan(0.02);
    const p = pca.project(rows);
    expect(p.length).toBe(2 * n);
    let m = 0;
    for (let i = 0; i < n; i++) m += p[2 * i]!;
    expect(m / n).toBeCloseTo(0, 3); // centred
  });

  it('is deterministic in sign and rejects bad shapes', () => {
    const rows = [0, 0, 1, 2, 2, 4, 3, 6.5];
    const a = fitPca(rows, 2, 1);
    const b = fitPca(rows, 2, 1);
    expect(Array.from(a.components[0]!)).toEqual(Array.from(b.components[0]!));
    expect(Math.max(...a.components[0]!)).toBeGreaterThan(0);
    expect(() => fitPca([1, 2, 3], 2)).toThrow('3 values do not split into rows of 2');
    expect(() => fitPca([1, 2], 2)).toThrow('at least 2 rows');
    expect(() => fitPca([1, 2, 3, 4], 2, 3)).toThrow('k: expected 1 … 2 components, got 3');
  });
});
