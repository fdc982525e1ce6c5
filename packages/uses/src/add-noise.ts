import { mulberry32 } from '@elbo/core';

/**
 * Additive Gaussian noise x̃ = clip(x + σ·ε, 0, 1), ε ~ N(0, 1) per value (Box–Muller from a
 * mulberry32 generator seeded by `seed`), for data in [0,1]. Returns a new array.
 */
export function addGaussianNoise(values: Float32Array, sigma: number, seed: number): Float32Array {
  const u = mulberry32(seed);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const t = 2 * Math.PI * u();
    out[i] = clip01(values[i]! + sigma * r * Math.cos(t));
    if (i + 1 < values.length) out[i + 1] = clip01(values[i + 1]! + sigma * r * Math.sin(t));
  }
  return out;
}

/**
 * Salt-and-pepper noise: each value independently, with probability `fraction`, replaced by 0 or 1
 * (equally likely). Returns a new array.
 */
export function addSaltAndPepper(values: Float32Array, fraction: number, seed: number): Float32Array {
  const u = mulberry32(seed);
  const out = Float32Array.from(values);
  for (let i = 0; i < out.length; i++) if (u() < fraction) out[i] = u() < 0.5 ? 0 : 1;
  return out;
}

function clip01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
