import { mulberry32, type GroundTruthFactors } from '@elbo/core';
import type { GroundTruthData, Representation } from './representation.js';

/**
 * Test support: a tiny full factor grid whose "image" of an example is its factor values, so a
 * representation can be written by hand. Grid order as dSprites (last factor fastest).
 */
export function syntheticGroundTruth(names: readonly string[], sizes: readonly number[]): GroundTruthData {
  const values = sizes.map((s) => Array.from({ length: s }, (_, c) => (s === 1 ? 1 : c / (s - 1))));
  const bases = sizes.map((_, k) => sizes.slice(k + 1).reduce((a, b) => a * b, 1));
  const count = sizes.reduce((a, b) => a * b, 1);
  const f = sizes.length;
  const classesAt = (i: number, out: Int32Array, at: number) => {
    for (let k = 0; k < f; k++) out[at + k] = Math.floor(i / bases[k]!) % sizes[k]!;
  };
  const factors: GroundTruthFactors = {
    names,
    sizes,
    values,
    classesOf(indices, out) {
      for (let n = 0; n < indices.length; n++) classesAt(indices[n]!, out, n * f);
    },
    indexOf(classes) {
      let i = 0;
      for (let k = 0; k < f; k++) i += classes[k]! * bases[k]!;
      return i;
    },
  };
  const row = new Int32Array(f);
  return {
    size: count,
    dim: f,
    factors,
    read(indices, out) {
      for (let n = 0; n < indices.length; n++) {
        classesAt(indices[n]!, row, 0);
        for (let k = 0; k < f; k++) out[n * f + k] = values[k]![row[k]!]!;
      }
    },
  };
}

/** Codes z_j = scale_j · x_{pick_j} + shift_j: the factors themselves, permuted and rescaled. */
export function factorRepresentation(pick: readonly number[], scale: readonly number[], shift = 0.3): Representation {
  return async (x, count) => {
    const f = x.length / count;
    const out = new Float32Array(count * pick.length);
    for (let i = 0; i < count; i++) pick.forEach((k, j) => (out[i * pick.length + j] = scale[j]! * x[i * f + k]! + shift));
    return out;
  };
}

/** Codes that ignore the input: `dim` independent standard normals per example, seeded. */
export function randomRepresentation(dim: number, seed: number): Representation {
  const u = mulberry32(seed);
  return async (_x, count) => Float32Array.from({ length: count * dim }, () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u()));
}

/** `base` with code dimensions a and b rotated by `angle` (45° entangles the two factors they hold equally). */
export function rotatedRepresentation(base: Representation, a: number, b: number, angle = Math.PI / 4): Representation {
  return async (x, count) => {
    const z = await base(x, count);
    const dim = z.length / count;
    const [c, s] = [Math.cos(angle), Math.sin(angle)];
    for (let i = 0; i < count; i++) {
      const [za, zb] = [z[i * dim + a]!, z[i * dim + b]!];
      z[i * dim + a] = c * za - s * zb;
      z[i * dim + b] = s * za + c * zb;
    }
    return z;
  };
}

/** `base` plus a diagonal-Gaussian posterior with fixed standard deviation `sigma` (for MIG's chen estimator). */
export function withPosterior(base: Representation, sigma: number): Representation {
  const logVar = Math.log(sigma * sigma);
  return Object.assign(async (x: Float32Array, count: number) => base(x, count), {
    posterior: async (x: Float32Array, count: number) => {
      const mean = await base(x, count);
      return { mean, logVar: new Float32Array(mean.length).fill(logVar) };
    },
  });
}

/**
 * The cases every metric is tested on, over a 1×5×5×4×6 grid (factors color, a, b, c, d; color has
 * one class and is not scored):
 * - `perfect`: the four varying factors themselves, permuted (codes hold d, a, c, b) and rescaled by
 *   2, −3, 10, −3 (plus 0.3) — a metric must score it near its top;
 * - `entangled`: `perfect` with the code dimensions of a and b rotated by 45°, so each of the two
 *   codes holds a and b equally, while c and d stay disentangled — in between;
 * - `random`: four standard-normal codes independent of the input — near the bottom.
 */
export function standardCases(): { data: GroundTruthData; perfect: Representation; entangled: Representation; random: Representation } {
  const data = syntheticGroundTruth(['color', 'a', 'b', 'c', 'd'], [1, 5, 5, 4, 6]);
  const perfect = factorRepresentation([4, 1, 3, 2], [2, -3, 10, -3]);
  return { data, perfect, entangled: rotatedRepresentation(perfect, 1, 3), random: randomRepresentation(4, 7) };
}
