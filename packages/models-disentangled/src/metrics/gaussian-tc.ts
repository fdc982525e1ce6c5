import { z } from 'zod';
import { opt } from '@elbo/core';
import { encode, encodePosterior, sampleExamples, type Codes } from './ground-truth-sampling.js';
import { metricFunction, sampleSizeOptions, type MetricScores } from './representation.js';
import { covariance, logDetSpd, normal } from './statistics.js';

export const gaussianTcOptions = z
  .object({
    numTrain: sampleSizeOptions.train('examples whose codes give the covariance'),
    representation: opt
      .oneOf(['mean', 'sampled'])
      .default('mean')
      .describe('mean: the posterior means (disentanglement_lib); sampled: one z ~ q(z|x) per example, the code the TC penalties act on (needs the posterior)'),
    encodeBatch: sampleSizeOptions.encodeBatch(),
  })
  .strict();
export type GaussianTcOptions = z.input<typeof gaussianTcOptions>;

/**
 * Gaussian total correlation of the mean representation (or, `representation: sampled`, of one
 * draw z ~ q(z|x) per example — Locatello et al. 2019 report both: the penalties of FactorVAE and
 * β-TCVAE act on the sampled code, the metrics read the mean), as disentanglement_lib's
 * `unsupervised_metrics` computes `gaussian_total_correlation`: fit a Gaussian to the codes of
 * `numTrain` = 10,000 random examples (sample covariance Σ, ddof 1) and return the KL divergence
 * between it and the product of its marginals,
 *
 *   TC = ½ (Σ_j log Σ_jj − log det Σ)   (nats; 0 iff the code dimensions are uncorrelated).
 *
 * Dimensions whose mean code is constant (variance ≤ 1e-12 × the largest, i.e. zero up to rounding;
 * fully collapsed units) are left out — they contribute nothing to a Gaussian's TC, but would make Σ singular. If the remaining
 * covariance is still singular (a code dimension is an exact linear function of others) a ridge of
 * 1e-10 × the mean variance is added to Σ's diagonal, giving a large finite TC. Uses no factors.
 * Scores: `gaussian_total_correlation`, `num_dims` (dimensions used).
 */
export const gaussianTotalCorrelation = metricFunction('gaussian-tc', gaussianTcOptions, async (rep, data, o, u) => {
  const indices = sampleExamples(data, o.numTrain, u);
  const codes = o.representation === 'sampled' ? sampled(await encodePosterior(rep, data, indices, o.encodeBatch), u) : await encode(rep, data, indices, o.encodeBatch);
  return gaussianTcFromCodes(codes.values, codes.n, codes.dim);
});

/** One draw z = μ + σ ⊙ ε per row of the posteriors. */
function sampled(q: { mean: Codes; logVar: Codes }, u: () => number): Codes {
  const values = q.mean.values.map((m, i) => m + Math.exp(0.5 * q.logVar.values[i]!) * normal(u));
  return { ...q.mean, values };
}

/** The pure core on an n × dim matrix of codes. */
export function gaussianTcFromCodes(values: Float64Array, n: number, dim: number): MetricScores {
  const full = covariance(values, n, dim);
  let largest = 0;
  for (let j = 0; j < dim; j++) largest = Math.max(largest, full[j * dim + j]!);
  const keep = [...Array(dim).keys()].filter((j) => full[j * dim + j]! > 1e-12 * largest);
  const m = keep.length;
  if (m < 2) return { gaussian_total_correlation: 0, num_dims: m };
  const cov = new Float64Array(m * m);
  keep.forEach((a, p) => keep.forEach((b, q) => (cov[p * m + q] = full[a * dim + b]!)));
  let sumLogDiag = 0;
  for (let p = 0; p < m; p++) sumLogDiag += Math.log(cov[p * m + p]!);
  let logDet = logDetSpd(cov, m);
  if (!Number.isFinite(logDet)) {
    let meanVar = 0;
    for (let p = 0; p < m; p++) meanVar += cov[p * m + p]! / m;
    const ridged = cov.slice();
    for (let p = 0; p < m; p++) ridged[p * m + p] += 1e-10 * meanVar;
    logDet = logDetSpd(ridged, m);
  }
  return { gaussian_total_correlation: 0.5 * (sumLogDiag - logDet), num_dims: m };
}
