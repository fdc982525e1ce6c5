import type { SplitValues } from '../data/in-memory-split.js';

/**
 * Static stochastic binarisation (Salakhutdinov & Murray, 2008, as used for "binarised MNIST"):
 * every value is thresholded once by its own uniform draw, `x' = 1 if u < x·scale else 0`, with
 * u ~ U[0,1) taken from `uniform` in row-major order over the whole buffer (value i uses draw i).
 * A prefix of the buffer therefore binarises the same way whatever follows it.
 *
 * Returns a new uint8 buffer of 0/1 (read it with scale 1); `values` is left unchanged.
 */
export function binarizeStatic(values: SplitValues, uniform: () => number, scale = 1): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = uniform() < values[i]! * scale ? 1 : 0;
  return out;
}
