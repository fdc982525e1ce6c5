import { z } from 'zod';
import { opt } from '@elbo/core';
import { encode, examplesOf, sampleClasses, scoredFactors, type ScoredFactors, type Uniform } from './ground-truth-sampling.js';
import { metricFunction, sampleSizeOptions, type GroundTruthData, type Representation } from './representation.js';
import { SoftmaxRegression } from './softmax-regression.js';

export const betaVaeScoreOptions = z
  .object({
    batchSize: opt.positiveInt().default(64).describe('L: pairs per training point (each point is the mean |z₁ − z₂| of L pairs sharing one factor)'),
    numTrain: sampleSizeOptions.train('training points for the linear classifier'),
    numEval: sampleSizeOptions.evaluate('evaluation points'),
  })
  .strict();
export type BetaVaeScoreOptions = z.input<typeof betaVaeScoreOptions>;

/**
 * BetaVAE score (Higgins et al. 2017, "β-VAE: Learning Basic Visual Concepts with a Constrained
 * Variational Framework", §3 and appendix A.4), as disentanglement_lib's `beta_vae_sklearn` computes it.
 *
 * One point: pick a scored factor k uniformly; draw two batches of L = `batchSize` factor vectors
 * uniformly from the grid, copy factor k of the first batch into the second; encode both (mean codes);
 * the point's features are mean_l |z₁ₗ − z₂ₗ| (one per code dimension) and its label is k. A linear
 * classifier — multinomial logistic regression with sklearn's default L2 penalty (C = 1, i.e.
 * λ₂ = 1/n on the mean loss) on unscaled features — is fitted on `numTrain` points; the score is its
 * accuracy on `numEval` fresh points (`eval_accuracy`; `train_accuracy` too).
 *
 * Sample sizes: disentanglement_lib's study uses L = 64, 10,000 training and 5,000 evaluation points
 * (the defaults), i.e. 1.92 M encoded images. Chance level is 1/(scored factors) (0.2 on dSprites).
 * Needs the full factor grid (it fixes factors). Factors with one class are not scored.
 */
export const betaVaeScore = metricFunction('betavae', betaVaeScoreOptions, async (rep, data, o, u) => {
  const scored = scoredFactors(data.factors, [], 'betavae');
  const train = await betaVaePoints(rep, data, scored, o.batchSize, o.numTrain, u);
  const model = SoftmaxRegression.fit(train.features, o.numTrain, train.dim, train.labels, scored.ids.length, { l2: 1 / o.numTrain, standardize: false, maxIterations: 1000 });
  const evaluation = await betaVaePoints(rep, data, scored, o.batchSize, o.numEval, u);
  return {
    train_accuracy: model.accuracy(train.features, o.numTrain, train.labels),
    eval_accuracy: model.accuracy(evaluation.features, o.numEval, evaluation.labels),
  };
});

/** `count` BetaVAE points: features (count × code size) and labels (index into the scored factors). */
export async function betaVaePoints(
  rep: Representation,
  data: GroundTruthData,
  scored: ScoredFactors,
  batchSize: number,
  count: number,
  u: Uniform,
): Promise<{ features: Float64Array; labels: Int32Array; dim: number }> {
  const f = data.factors.sizes.length;
  const labels = new Int32Array(count);
  let features = new Float64Array(0);
  let dim = 0;
  for (let p = 0; p < count; p++) {
    const label = Math.floor(u() * scored.ids.length);
    const k = scored.ids[label]!;
    const first = sampleClasses(data.factors, batchSize, u);
    const second = sampleClasses(data.factors, batchSize, u);
    for (let l = 0; l < batchSize; l++) second[l * f + k] = first[l * f + k]!;
    const both = new Int32Array(2 * batchSize);
    both.set(examplesOf(data, first, batchSize));
    both.set(examplesOf(data, second, batchSize), batchSize);
    const codes = await encode(rep, data, both, 2 * batchSize);
    if (p === 0) {
      dim = codes.dim;
      features = new Float64Array(count * dim);
    }
    for (let l = 0; l < batchSize; l++) {
      for (let j = 0; j < dim; j++) {
        features[p * dim + j] += Math.abs(codes.values[l * dim + j]! - codes.values[(batchSize + l) * dim + j]!) / batchSize;
      }
    }
    labels[p] = label;
  }
  return { features, labels, dim };
}
