import { z } from 'zod';
import { opt } from '@elbo/core';
import { encode, examplesOf, sampleClasses, sampleExamples, scoredFactors, type ScoredFactors, type Uniform } from './ground-truth-sampling.js';
import { metricFunction, sampleSizeOptions, type GroundTruthData, type Representation } from './representation.js';
import { columnVariances } from './statistics.js';

export const factorVaeScoreOptions = z
  .object({
    batchSize: opt.positiveInt().default(64).describe('L: examples sharing the fixed factor in one vote'),
    numTrain: sampleSizeOptions.train('votes to build the majority-vote classifier from'),
    numEval: sampleSizeOptions.evaluate('votes to evaluate it on'),
    numVarianceEstimate: sampleSizeOptions.train('examples for the global variance of each code dimension'),
    pruneThreshold: opt.nonNegative().default(0.05).describe('code dimensions whose global standard deviation is below this are ignored (collapsed)'),
    encodeBatch: sampleSizeOptions.encodeBatch('examples per representation call for the variance estimate'),
  })
  .strict();
export type FactorVaeScoreOptions = z.input<typeof factorVaeScoreOptions>;

/**
 * FactorVAE score (Kim & Mnih 2018, "Disentangling by Factorising", §4), as disentanglement_lib's
 * `factor_vae_score` computes it.
 *
 * 1. Global scale: the variance (ddof 1) of every code dimension over `numVarianceEstimate` random
 *    examples; dimensions with standard deviation < `pruneThreshold` are dropped as collapsed.
 * 2. One vote: pick a scored factor k uniformly, draw L = `batchSize` factor vectors uniformly, set
 *    factor k of all of them to the first one's value, encode (mean codes); the vote goes to the active
 *    dimension with the smallest variance (ddof 1) divided by its global variance.
 * 3. The classifier maps each dimension to the factor that got most of its `numTrain` votes; the score
 *    is the fraction of `numEval` fresh votes it gets right (`eval_accuracy`; `train_accuracy` on the
 *    training votes; `num_active_dims`). No active dimension: both accuracies are 0.
 *
 * Sample sizes: disentanglement_lib's study (the defaults) uses L = 64, 10,000 training and 5,000
 * evaluation votes, 10,000 examples for the variances and a pruning threshold of 0.05, i.e. 0.97 M
 * encoded images. Chance level is about 1/(scored factors). Needs the full grid (it fixes factors).
 */
export const factorVaeScore = metricFunction('factorvae', factorVaeScoreOptions, async (rep, data, o, u) => {
  const scored = scoredFactors(data.factors, [], 'factorvae');
  const sample = await encode(rep, data, sampleExamples(data, o.numVarianceEstimate, u), o.encodeBatch);
  const globalVariance = columnVariances(sample.values, sample.n, sample.dim);
  const active = [...globalVariance.keys()].filter((j) => Math.sqrt(globalVariance[j]!) >= o.pruneThreshold);
  if (active.length === 0) return { train_accuracy: 0, eval_accuracy: 0, num_active_dims: 0 };

  const train = await factorVaeVotes(rep, data, scored, o.batchSize, o.numTrain, globalVariance, active, u);
  const classifier = majorityClassifier(train, scored.ids.length, active.length);
  const evaluation = await factorVaeVotes(rep, data, scored, o.batchSize, o.numEval, globalVariance, active, u);
  return {
    train_accuracy: voteAccuracy(train, classifier, scored.ids.length, active.length),
    eval_accuracy: voteAccuracy(evaluation, classifier, scored.ids.length, active.length),
    num_active_dims: active.length,
  };
});

/** Vote counts, factors × active dimensions (row-major). */
export async function factorVaeVotes(
  rep: Representation,
  data: GroundTruthData,
  scored: ScoredFactors,
  batchSize: number,
  count: number,
  globalVariance: Float64Array,
  active: readonly number[],
  u: Uniform,
): Promise<Float64Array> {
  const f = data.factors.sizes.length;
  const votes = new Float64Array(scored.ids.length * active.length);
  for (let p = 0; p < count; p++) {
    const label = Math.floor(u() * scored.ids.length);
    const k = scored.ids[label]!;
    const classes = sampleClasses(data.factors, batchSize, u);
    for (let l = 1; l < batchSize; l++) classes[l * f + k] = classes[k]!;
    const codes = await encode(rep, data, examplesOf(data, classes, batchSize), batchSize);
    const local = columnVariances(codes.values, codes.n, codes.dim);
    let best = 0;
    for (let a = 1; a < active.length; a++) {
      const j = active[a]!;
      const b = active[best]!;
      if (local[j]! / globalVariance[j]! < local[b]! / globalVariance[b]!) best = a;
    }
    votes[label * active.length + best]++;
  }
  return votes;
}

/** For each dimension, the factor with the most votes (the first on ties, as numpy's argmax). */
export function majorityClassifier(votes: Float64Array, factors: number, dims: number): Int32Array {
  const out = new Int32Array(dims);
  for (let d = 0; d < dims; d++) {
    let best = 0;
    for (let k = 1; k < factors; k++) if (votes[k * dims + d]! > votes[best * dims + d]!) best = k;
    out[d] = best;
  }
  return out;
}

/** Fraction of votes that land on the factor the classifier assigns to their dimension. */
export function voteAccuracy(votes: Float64Array, classifier: Int32Array, factors: number, dims: number): number {
  let right = 0;
  let total = 0;
  for (let d = 0; d < dims; d++) {
    for (let k = 0; k < factors; k++) total += votes[k * dims + d]!;
    right += votes[classifier[d]! * dims + d]!;
  }
  return total > 0 ? right / total : 0;
}
