import type { GroundTruthFactors } from '@elbo/core';
import type { GroundTruthData, Representation } from './representation.js';

/** The factors a metric scores: their positions in the data's factor list, names and class counts. */
export interface ScoredFactors {
  readonly ids: readonly number[];
  readonly names: readonly string[];
  readonly sizes: readonly number[];
}

/**
 * Factors with more than one class, minus `exclude` (by name). A one-class factor (dSprites' color)
 * is constant: it carries no information and has zero entropy, so disentanglement_lib's dSprites drops
 * it too. An unknown name in `exclude` is an error listing the factor names.
 */
export function scoredFactors(factors: GroundTruthFactors, exclude: readonly string[] = [], where = 'metric'): ScoredFactors {
  for (const name of exclude) {
    if (!factors.names.includes(name)) throw new RangeError(`${where}.exclude: no factor named "${name}" (factors: ${factors.names.join(', ')})`);
  }
  const ids = factors.names.flatMap((name, k) => (factors.sizes[k]! > 1 && !exclude.includes(name) ? [k] : []));
  if (ids.length === 0) throw new RangeError(`${where}: no factor left to score (factors: ${factors.names.join(', ')}; excluded: ${exclude.join(', ') || 'none'})`);
  return { ids, names: ids.map((k) => factors.names[k]!), sizes: ids.map((k) => factors.sizes[k]!) };
}

/** A host uniform generator in [0, 1), as RandomStream.nextGenerator gives. */
export type Uniform = () => number;

/** `n` examples drawn uniformly with replacement from the split (uniform factors on a full grid). */
export function sampleExamples(data: GroundTruthData, n: number, u: Uniform): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(u() * data.size);
  return out;
}

/** The classes of factor `k` of the examples at `indices` (one Int32 per example). */
export function factorColumn(data: GroundTruthData, indices: Int32Array, k: number): Int32Array {
  const f = data.factors.sizes.length;
  const all = new Int32Array(indices.length * f);
  data.factors.classesOf(indices, all);
  const out = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = all[i * f + k]!;
  return out;
}

/** Uniform random classes of every factor for `n` examples (n × factors, row-major). */
export function sampleClasses(factors: GroundTruthFactors, n: number, u: Uniform): Int32Array {
  const f = factors.sizes.length;
  const out = new Int32Array(n * f);
  for (let i = 0; i < n; i++) for (let k = 0; k < f; k++) out[i * f + k] = Math.floor(u() * factors.sizes[k]!);
  return out;
}

/**
 * The examples with these classes (n × factors), via `factors.indexOf`. Metrics that intervene on
 * factors (BetaVAE, FactorVAE scores) need every combination: a split that is a subset of the grid
 * fails here with a message saying which split to use.
 */
export function examplesOf(data: GroundTruthData, classes: Int32Array, n: number): Int32Array {
  const f = data.factors.sizes.length;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const row = classes.subarray(i * f, (i + 1) * f);
    const index = data.factors.indexOf(row);
    if (index < 0) {
      throw new RangeError(
        `no example has factor classes [${Array.from(row).join(', ')}]: this metric fixes factors and needs the full factor grid (for dsprites, the train split without trainSize)`,
      );
    }
    out[i] = index;
  }
  return out;
}

/** Codes of a batch, row-major n × dim, as float64 for the statistics. */
export interface Codes {
  readonly values: Float64Array;
  readonly n: number;
  readonly dim: number;
}

/** Checks a representation's output for `count` inputs and returns the code size. */
function codeSize(codes: ArrayLike<number>, count: number, known: number | undefined): number {
  const dim = codes.length / count;
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`the representation returned ${codes.length} values for ${count} inputs`);
  if (known !== undefined && dim !== known) throw new RangeError(`the representation returned codes of size ${dim}, earlier ${known}`);
  return dim;
}

/**
 * Encodes the examples at `indices` in calls of at most `batch` examples, in order; the grouping does
 * not change the result (one input buffer is reused between calls).
 */
export async function encode(rep: Representation, data: GroundTruthData, indices: Int32Array, batch: number): Promise<Codes> {
  const n = indices.length;
  const input = new Float32Array(Math.min(batch, n) * data.dim);
  let values = new Float64Array(0);
  let dim: number | undefined;
  for (let start = 0; start < n; start += batch) {
    const count = Math.min(batch, n - start);
    const x = input.subarray(0, count * data.dim);
    data.read(indices.subarray(start, start + count), x);
    const z = await rep(x, count);
    if (dim === undefined) {
      dim = codeSize(z, count, undefined);
      values = new Float64Array(n * dim);
    } else codeSize(z, count, dim);
    values.set(z, start * dim);
  }
  return { values, n, dim: dim ?? 0 };
}

/** Means and log-variances of q(z|x) for the examples at `indices` (needs `rep.posterior`). */
export async function encodePosterior(rep: Representation, data: GroundTruthData, indices: Int32Array, batch: number): Promise<{ mean: Codes; logVar: Codes }> {
  const posterior = rep.posterior;
  if (!posterior) throw new RangeError('this estimator needs q(z|x): a representation with `posterior` (means and log-variances)');
  const n = indices.length;
  const input = new Float32Array(Math.min(batch, n) * data.dim);
  let mean = new Float64Array(0);
  let logVar = new Float64Array(0);
  let dim: number | undefined;
  for (let start = 0; start < n; start += batch) {
    const count = Math.min(batch, n - start);
    const x = input.subarray(0, count * data.dim);
    data.read(indices.subarray(start, start + count), x);
    const q = await posterior(x, count);
    if (dim === undefined) {
      dim = codeSize(q.mean, count, undefined);
      mean = new Float64Array(n * dim);
      logVar = new Float64Array(n * dim);
    } else codeSize(q.mean, count, dim);
    codeSize(q.logVar, count, dim);
    mean.set(q.mean, start * dim);
    logVar.set(q.logVar, start * dim);
  }
  const d = dim ?? 0;
  return { mean: { values: mean, n, dim: d }, logVar: { values: logVar, n, dim: d } };
}
