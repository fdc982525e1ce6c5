import { describe, expect, it } from 'vitest';
import { mulberry32 } from '@elbo/core';
import { entropy, histogramBins, mutualInfo } from './discrete-mutual-info.js';
import { histogramMutualInfo, migGaps } from './mig.js';
import { linearSvmClassifier, thresholdClassifier } from './one-dimensional-classifiers.js';
import { RandomForest } from './random-forest.js';
import { discreteScoreMatrix, sapFromMatrix } from './sap-score.js';
import { SoftmaxRegression } from './softmax-regression.js';
import { gaussianTcFromCodes } from './gaussian-tc.js';

/**
 * A fixed dataset (mulberry32 seed 5) the reference values below were computed on with numpy 2.4.6
 * and scikit-learn 1.9.1 running disentanglement_lib's formulas: 3,000 examples, 3 factors with
 * 3, 8, 5 classes, 4 code dimensions (one clean, one mixing two factors, one noise, one sum).
 */
function referenceData() {
  const u = mulberry32(5);
  const n = 3000;
  const dim = 4;
  const sizes = [3, 8, 5];
  const classes = sizes.map((s) => Int32Array.from({ length: n }, () => Math.floor(u() * s)));
  const codes = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    codes[i * dim] = classes[0]![i]! * 0.7 + 0.3 * (u() - 0.5);
    codes[i * dim + 1] = classes[1]![i]! * 0.2 + classes[2]![i]! * 0.1 + 0.2 * u();
    codes[i * dim + 2] = u();
    codes[i * dim + 3] = classes[2]![i]! * 3 + codes[i * dim]!;
  }
  return { n, dim, sizes, classes, codes };
}

describe('discrete mutual information (MIG, histogram estimator)', () => {
  it('bins like np.digitize(x, np.histogram(x, bins)[1][:-1]) − 1', () => {
    expect(Array.from(histogramBins(Float64Array.from([0, 0.05, 0.1, 0.5, 0.99, 1]), 10))).toEqual([0, 0, 1, 5, 9, 9]);
    expect(Array.from(histogramBins(Float64Array.from([3, 3, 3]), 20))).toEqual([10, 10, 10]); // constant: range ±0.5
  });

  it('MI of a labeling with itself is its entropy; independent labelings share ~0 nats', () => {
    const a = Int32Array.from({ length: 1600 }, (_, i) => i % 4);
    expect(entropy(a, 4)).toBeCloseTo(Math.log(4), 12);
    expect(mutualInfo(a, 4, a, 4)).toBeCloseTo(Math.log(4), 12);
    const b = Int32Array.from({ length: 1600 }, (_, i) => Math.floor(i / 4) % 4); // every (a, b) pair 100 times
    expect(mutualInfo(a, 4, b, 4)).toBeCloseTo(0, 12);
  });

  it('matches numpy + scikit-learn on the reference data: MIG = 0.517073856956475', () => {
    const { n, dim, sizes, classes, codes } = referenceData();
    const info = histogramMutualInfo(codes, n, dim, classes, sizes, 20);
    const gaps = migGaps(
      info,
      dim,
      classes.map((c, k) => entropy(c, sizes[k]!)),
    );
    expect(gaps.reduce((a, b) => a + b) / 3).toBeCloseTo(0.517073856956475, 12);
  });
});

describe('one-dimensional classifiers (SAP)', () => {
  it('threshold: a code monotone in the factor separates every class, whatever its scale', () => {
    const y = Int32Array.from({ length: 320 }, (_, i) => i % 32);
    for (const scale of [1e-3, 1, -50]) {
      const x = Float64Array.from(y, (c) => scale * c);
      const predict = thresholdClassifier(x, y, 32);
      expect(Array.from(y, (_, i) => predict(x[i]!))).toEqual(Array.from(y));
    }
  });

  it('linear-svm reproduces scikit-learn LinearSVC(C=0.01, balanced) accuracies on the reference data', () => {
    const { n, dim, sizes, classes, codes } = referenceData();
    const cut = 2000;
    const matrix = discreteScoreMatrix(
      codes.slice(0, cut * dim),
      classes.map((c) => c.slice(0, cut)),
      codes.slice(cut * dim),
      classes.map((c) => c.slice(cut, n)),
      dim,
      sizes,
      'linear-svm',
      0.01,
    );
    // scikit-learn 1.9.1, LinearSVC(C=0.01, class_weight='balanced', tol=1e-10) per (code, factor).
    const sklearn = [0.983, 0.13, 0.206, 0.315, 0.336, 0.224, 0.31, 0.132, 0.197, 0.402, 0.136, 0.593];
    Array.from(matrix).forEach((v, i) => expect(v).toBeCloseTo(sklearn[i]!, 3));
    expect(sapFromMatrix(matrix, dim, 3)).toBeCloseTo(0.3833333333333333, 10);
    // Two classes: one binary problem, as scikit-learn fits.
    const y2 = Int32Array.from({ length: 100 }, (_, i) => (i < 50 ? 0 : 1));
    const p = linearSvmClassifier(
      Float64Array.from(y2, (c) => c * 4 - 2),
      y2,
      2,
      0.01,
    );
    expect([p(-2), p(2)]).toEqual([0, 1]);
  });
});

describe('SoftmaxRegression (BetaVAE classifier)', () => {
  it('finds scikit-learn LogisticRegression()’s solution (C = 1 ⇔ λ₂ = 1/n)', () => {
    const u = mulberry32(9);
    const [n, d, k] = [2000, 4, 4];
    const y = Int32Array.from({ length: n }, () => Math.floor(u() * k));
    const x = Float64Array.from({ length: n * d }, (_, p) => 0.3 * u() + (y[Math.floor(p / d)] === p % d ? 0.05 : 0.15) * u());
    const m = SoftmaxRegression.fit(x, n, d, y, k, { l2: 1 / n, standardize: false, maxIterations: 1000 });
    // scikit-learn's coef_ (transposed, each row centred over classes: softmax is shift-invariant).
    const sklearn = [
      [-3.364, 0.738, 1.106, 1.52],
      [1.137, -3.274, 1.714, 0.424],
    ];
    sklearn.forEach((row, j) => {
      const w = Array.from(m.weights.subarray(j * k, (j + 1) * k));
      const centre = w.reduce((a, b) => a + b) / k;
      row.forEach((v, c) => expect(w[c]! - centre).toBeCloseTo(v, 2));
    });
    expect(m.accuracy(x, n, y)).toBeCloseTo(0.386, 3);
  });

  it('an L1 penalty removes inputs that carry nothing', () => {
    const u = mulberry32(2);
    const n = 1000;
    const y = Int32Array.from({ length: n }, () => Math.floor(u() * 3));
    const x = Float64Array.from({ length: n * 3 }, (_, p) => (p % 3 === 1 ? y[Math.floor(p / 3)]! + 0.1 * u() : u()));
    const m = SoftmaxRegression.fit(x, n, 3, y, 3, { l1: 0.05 });
    const imp = m.importance();
    expect(imp[0]).toBe(0);
    expect(imp[2]).toBe(0);
    expect(imp[1]).toBeGreaterThan(1);
    expect(m.accuracy(x, n, y)).toBe(1);
  });
});

describe('RandomForest (DCI importances)', () => {
  it('learns interval and interaction rules and puts the importance on the features used', () => {
    const u = mulberry32(4);
    const n = 2000;
    const d = 4;
    const x = Float64Array.from({ length: n * d }, () => u());
    // Class = which quarter feature 1 is in, flipped by feature 3 > 0.5: needs splits on both.
    const y = Int32Array.from({ length: n }, (_, i) => (Math.floor(x[i * d + 1]! * 4) + (x[i * d + 3]! > 0.5 ? 2 : 0)) % 4);
    const forest = RandomForest.fit(x, n, d, y, 4, mulberry32(1));
    const test = Float64Array.from({ length: 500 * d }, () => u());
    const yt = Int32Array.from({ length: 500 }, (_, i) => (Math.floor(test[i * d + 1]! * 4) + (test[i * d + 3]! > 0.5 ? 2 : 0)) % 4);
    expect(forest.accuracy(test, 500, yt)).toBeGreaterThan(0.97);
    const imp = forest.importance;
    expect(imp.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    expect(imp[1]! + imp[3]!).toBeGreaterThan(0.95);
    expect(imp[0]! + imp[2]!).toBeLessThan(0.05);
    // Same seed, same forest.
    expect(RandomForest.fit(x, n, d, y, 4, mulberry32(1)).importance).toEqual(imp);
  });
});

describe('Gaussian total correlation (pure core)', () => {
  it('matches numpy on the reference data and drops constant dimensions', () => {
    const { n, dim, codes } = referenceData();
    expect(gaussianTcFromCodes(codes, n, dim).gaussian_total_correlation).toBeCloseTo(0.04746290391516128, 12);
    const padded = new Float64Array(n * (dim + 1));
    for (let i = 0; i < n; i++) padded.set(codes.subarray(i * dim, (i + 1) * dim), i * (dim + 1)); // last column 0
    expect(gaussianTcFromCodes(padded, n, dim + 1)).toEqual(gaussianTcFromCodes(codes, n, dim));
  });
});
