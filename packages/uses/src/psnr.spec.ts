import { describe, expect, it } from 'vitest';
import { psnr } from './psnr.js';
import { addGaussianNoise, addSaltAndPepper } from './add-noise.js';

describe('psnr', () => {
  it('is 10·log10(peak²/MSE), per row then averaged when rows are given', () => {
    const ref = Float32Array.from([0, 0, 1, 1]);
    expect(psnr(ref, Float32Array.from([0.1, 0.1, 0.9, 0.9]))).toBeCloseTo(20, 4); // MSE 0.01
    // Rows: MSE 0.01 → 20 dB, MSE 0.0001 → 40 dB; mean 30 (the pooled MSE would give ≈ 23 dB).
    expect(psnr(ref, Float32Array.from([0.1, 0.1, 0.99, 0.99]), { dim: 2 })).toBeCloseTo(30, 3);
    expect(psnr(ref, Float32Array.from([0.2, 0.2, 1.2, 1.2]), { peak: 2 })).toBeCloseTo(10 * Math.log10(4 / 0.04), 4);
    expect(psnr(ref, ref, { dim: 2 })).toBe(100);
  });

  it('rejects arrays that do not match', () => {
    expect(() => psnr([0, 1], [0])).toThrow('reference has 2 values, test has 1');
    expect(() => psnr([0, 1, 2], [0, 1, 2], { dim: 2 })).toThrow('3 values do not split into rows of 2');
  });
});

describe('noise', () => {
  const clean = new Float32Array(20000).fill(0.5);

  it('Gaussian noise has the asked-for σ, stays in [0,1] and repeats with its seed', () => {
    const noisy = addGaussianNoise(clean, 0.1, 3);
    let s = 0;
    let s2 = 0;
    for (const v of noisy) {
      s += v - 0.5;
      s2 += (v - 0.5) ** 2;
    }
    expect(Math.abs(s / noisy.length)).toBeLessThan(0.005);
    expect(Math.sqrt(s2 / noisy.length)).toBeCloseTo(0.1, 2);
    expect(Math.min(...addGaussianNoise(clean, 2, 1))).toBe(0);
    expect(Math.max(...addGaussianNoise(clean, 2, 1))).toBe(1);
    expect(addGaussianNoise(clean, 0.1, 3)).toEqual(noisy);
    expect(psnr(clean, noisy)).toBeCloseTo(20, 0);
  });

  it('salt and pepper replaces about the asked-for fraction by 0 or 1', () => {
    const noisy = addSaltAndPepper(clean, 0.2, 5);
    const zeros = noisy.filter((v) => v === 0).length / noisy.length;
    const ones = noisy.filter((v) => v === 1).length / noisy.length;
    expect(zeros).toBeCloseTo(0.1, 1);
    expect(ones).toBeCloseTo(0.1, 1);
    expect(noisy.filter((v) => v === 0.5).length / noisy.length).toBeCloseTo(0.8, 1);
  });
});
