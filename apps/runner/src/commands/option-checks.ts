import { checkTensorSize, TensorSizeError } from '@elbo/compute';
import { ConfigError } from '@elbo/core';

/** Checks a count option: an integer ≥ `min` (1 unless 0 means something), else a ConfigError naming it. */
export function countOption(name: string, v: number | undefined, min = 1): void {
  if (v === undefined || (Number.isInteger(v) && v >= min)) return;
  throw new ConfigError(`${name}: expected ${min === 0 ? 'a non-negative integer' : 'a positive integer'}, got ${v}`);
}

/**
 * Refuses an option whose largest tensor (`what`, of `shape`) would not fit: a ConfigError (exit 2)
 * naming the option, with the estimate in bytes — checked before anything is allocated or written.
 */
export function sizeOption(name: string, what: string, shape: readonly number[]): void {
  try {
    checkTensorSize(what, shape);
  } catch (e) {
    if (e instanceof TensorSizeError) throw new ConfigError(`${name}: ${e.message}`);
    throw e;
  }
}

/** The widest layer a config section names: the largest number in it (widths, channels), at least `floor`. */
export function widest(section: unknown, floor: number): number {
  let max = floor;
  const visit = (v: unknown): void => {
    if (typeof v === 'number' && Number.isFinite(v)) max = Math.max(max, v);
    else if (Array.isArray(v)) v.forEach(visit);
  };
  if (section && typeof section === 'object') Object.values(section).forEach(visit);
  return max;
}
