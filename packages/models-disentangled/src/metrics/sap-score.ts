import { z } from 'zod';
import { opt } from '@elbo/core';
import { encode, scoredFactors, trainTestSamples } from './ground-truth-sampling.js';
import { linearSvmClassifier, thresholdClassifier } from './one-dimensional-classifiers.js';
import { metricFunction, sampleSizeOptions } from './representation.js';
import { column, topTwo } from './statistics.js';

export const sapScoreOptions = z
  .object({
    numTrain: sampleSizeOptions.train('examples to fit the per-dimension predictors on'),
    numTest: sampleSizeOptions.evaluate('examples to score the classifiers on (discrete factors)'),
    continuous: opt.boolean().default(false).describe('treat factors as continuous: score = R² of a linear fit (no test set)'),
    classifier: opt
      .oneOf(['threshold', 'linear-svm'])
      .default('threshold')
      .describe('discrete factors: threshold (nearest class mean on the one dimension) or linear-svm (disentanglement_lib’s LinearSVC)'),
    c: opt.positive().default(0.01).describe('C of the linear SVM (classifier: linear-svm)'),
    encodeBatch: sampleSizeOptions.encodeBatch(),
  })
  .strict();
export type SapScoreOptions = z.input<typeof sapScoreOptions>;

/**
 * SAP score, Separated Attribute Predictability (Kumar et al. 2018, "Variational Inference of
 * Disentangled Latent Concepts from Unlabeled Observations", §3): a score matrix S (code dimensions ×
 * factors) where S_jk says how well factor k is predicted from code dimension j ALONE; SAP is the mean
 * over factors of the difference between the two largest entries of each column.
 *
 * Sampling as disentanglement_lib's `sap_score` (the defaults): `numTrain` = 10,000 training and
 * `numTest` = 5,000 test examples drawn uniformly, mean codes, factors discrete.
 *
 * - discrete (default): S_jk = test accuracy of a one-feature classifier trained on the training
 *   examples. `threshold` (default) assigns the class with the nearest class mean — one threshold
 *   between consecutive classes, so a code monotone in the factor scores 1 whatever its scale.
 *   `linear-svm` reproduces disentanglement_lib (one-vs-rest LinearSVC, C = 0.01, balanced classes):
 *   one-vs-rest linear classifiers on a single feature separate only the outermost classes, so there
 *   even a perfect code scores about 2/(classes) on a many-class factor (≈ 0.06 for dSprites' 32
 *   positions) and the score depends on the code's scale. Use it to compare with published figures.
 * - `continuous`: S_jk = cov(z_j, v_k)² / (var z_j · var v_k) on the training examples (R² of a linear
 *   fit; 0 when var z_j ≤ 1e-12), with factor values, as disentanglement_lib's continuous branch.
 *
 * Factors with one class are not scored. Score: `sap`.
 */
export const sapScore = metricFunction('sap', sapScoreOptions, async (rep, data, o, u) => {
  const scored = scoredFactors(data.factors, [], 'sap');
  const { train, test } = await trainTestSamples(rep, data, scored, o, u);
  let matrix: Float64Array;
  if (o.continuous) {
    const values = scored.ids.map((k, f) => Float64Array.from(train.classes[f]!, (c) => data.factors.values[k]![c]!));
    matrix = continuousScoreMatrix(train.codes.values, train.codes.n, train.codes.dim, values);
  } else {
    const testCodes = await encode(rep, data, test.indices, o.encodeBatch);
    matrix = discreteScoreMatrix(train.codes.values, train.classes, testCodes.values, test.classes, train.codes.dim, scored.sizes, o.classifier, o.c);
  }
  return { sap: sapFromMatrix(matrix, train.codes.dim, scored.ids.length) };
});

/** S_jk = test accuracy of predicting factor k from code dimension j alone (dim × factors). */
export function discreteScoreMatrix(
  train: Float64Array,
  trainClasses: readonly Int32Array[],
  test: Float64Array,
  testClasses: readonly Int32Array[],
  dim: number,
  sizes: readonly number[],
  classifier: 'threshold' | 'linear-svm',
  c: number,
): Float64Array {
  const factors = sizes.length;
  const nTrain = trainClasses[0]!.length;
  const nTest = testClasses[0]!.length;
  const out = new Float64Array(dim * factors);
  for (let j = 0; j < dim; j++) {
    const x = column(train, nTrain, dim, j);
    const xt = column(test, nTest, dim, j);
    for (let k = 0; k < factors; k++) {
      const predict = classifier === 'threshold' ? thresholdClassifier(x, trainClasses[k]!, sizes[k]!) : linearSvmClassifier(x, trainClasses[k]!, sizes[k]!, c);
      let hits = 0;
      for (let i = 0; i < nTest; i++) if (predict(xt[i]!) === testClasses[k]![i]) hits++;
      out[j * factors + k] = hits / nTest;
    }
  }
  return out;
}

/** S_jk = cov(z_j, v_k)² / (var z_j · var v_k), ddof 1; 0 when var z_j ≤ 1e-12 (dim × factors). */
export function continuousScoreMatrix(codes: Float64Array, n: number, dim: number, values: readonly Float64Array[]): Float64Array {
  const factors = values.length;
  const out = new Float64Array(dim * factors);
  const mean = (xs: Float64Array) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (let j = 0; j < dim; j++) {
    const z = column(codes, n, dim, j);
    const mz = mean(z);
    let vz = 0;
    for (const v of z) vz += (v - mz) ** 2;
    vz /= n - 1;
    values.forEach((y, k) => {
      const my = mean(y);
      let vy = 0;
      let cov = 0;
      for (let i = 0; i < n; i++) {
        vy += (y[i]! - my) ** 2;
        cov += (z[i]! - mz) * (y[i]! - my);
      }
      vy /= n - 1;
      cov /= n - 1;
      out[j * factors + k] = vz > 1e-12 && vy > 0 ? (cov * cov) / (vz * vy) : 0;
    });
  }
  return out;
}

/** The pure core: mean over factors of (largest − second largest) S_jk over code dimensions j. */
export function sapFromMatrix(matrix: Float64Array, dim: number, factors: number): number {
  let total = 0;
  for (let k = 0; k < factors; k++) {
    const col = Array.from({ length: dim }, (_, j) => matrix[j * factors + k]!);
    const [first, second] = topTwo(col);
    total += col[first]! - (second >= 0 ? col[second]! : 0);
  }
  return total / factors;
}
