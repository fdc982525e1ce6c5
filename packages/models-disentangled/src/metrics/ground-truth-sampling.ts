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

/** Examples drawn for a metric and the classes of each scored factor (in `scored.ids` order). */
export interface LabelledSample {
  readonly indices: Int32Array;
  readonly classes: readonly Int32Array[];
}

/** `n` examples drawn uniformly (as sampleExamples) with the classes of every scored factor. */
export function sampleLabelled(data: GroundTruthData, scored: ScoredFactors, n: number, u: Uniform): LabelledSample {
  const indices = sampleExamples(data, n, u);
  return { indices, classes: scored.ids.map((k) => factorColumn(data, indices, k)) };
}

/**
 * The two samples of a metric fitted on one and scored on the other, drawn as disentanglement_lib's
 * `generate_batch_factor_code` draws them: `numTrain` then `numTest` examples from the one stream `u`.
 * The training sample comes encoded; the caller encodes the test sample when it needs its codes.
 */
export async function trainTestSamples(
  rep: Representation,
  data: GroundTruthData,
  scored: ScoredFactors,
  o: { readonly numTrain: number; readonly numTest: number; readonly encodeBatch: number },
  u: Uniform,
): Promise<{ train: LabelledSample & { codes: Codes }; test: LabelledSample }> {
  const train = sampleLabelled(data, scored, o.numTrain, u);
  const test = sampleLabelled(data, scored, o.numTest, u);
  return { train: { ...train, codes: await encode(rep, data, train.indices, o.encodeBatch) }, test };
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
 * Reads the examples at `indices` in calls of at most `batch` examples, in order, and gathers the
 * named outputs of each call into n × dim float64 matrices. The first output fixes the code size; every
 * output is checked against it. The grouping does not change the result (one input buffer is reused
 * between calls).
 */
async function encodeInBatches<K extends string>(
  data: GroundTruthData,
  indices: Int32Array,
  batch: number,
  keys: readonly [K, ...K[]],
  call: (x: Float32Array, count: number) => Promise<Record<K, ArrayLike<number>>>,
): Promise<Record<K, Codes>> {
  const n = indices.length;
  const input = new Float32Array(Math.min(batch, n) * data.dim);
  const values = {} as Record<K, Float64Array>;
  let dim: number | undefined;
  for (let start = 0; start < n; start += batch) {
    const count = Math.min(batch, n - start);
    const x = input.subarray(0, count * data.dim);
    data.read(indices.subarray(start, start + count), x);
    const out = await call(x, count);
    if (dim === undefined) {
      dim = codeSize(out[keys[0]], count, undefined);
      for (const key of keys) values[key] = new Float64Array(n * dim);
    }
    for (const key of keys) {
      codeSize(out[key], count, dim);
      values[key].set(out[key], start * dim);
    }
  }
  const codes = {} as Record<K, Codes>;
  for (const key of keys) codes[key] = { values: values[key] ?? new Float64Array(0), n, dim: dim ?? 0 };
  return codes;
}

/** Encodes the examples at `indices` in calls of at most `batch` examples (see encodeInBatches). */
export async function encode(rep: Representation, data: GroundTruthData, indices: Int32Array, batch: number): Promise<Codes> {
  const { z } = await encodeInBatches(data, indices, batch, ['z'], async (x, count) => ({ z: await rep(x, count) }));
  return z;
}

/** Means and log-variances of q(z|x) for the examples at `indices` (needs `rep.posterior`). */
export async function encodePosterior(rep: Representation, data: GroundTruthData, indices: Int32Array, batch: number): Promise<{ mean: Codes; logVar: Codes }> {
  const posterior = rep.posterior;
  if (!posterior) throw new RangeError('this estimator needs q(z|x): a representation with `posterior` (means and log-variances)');
  return encodeInBatches(data, indices, batch, ['mean', 'logVar'], posterior);
}
