import { z } from 'zod';
import { opt } from '@elbo/core';
import { entropy, histogramBins, mutualInfo } from './discrete-mutual-info.js';
import { encode, encodePosterior, sampleLabelled, scoredFactors } from './ground-truth-sampling.js';
import { chenMutualInfo } from './mig-entropy.js';
import { metricFunction, sampleSizeOptions, type MetricScores } from './representation.js';
import { column, topTwo } from './statistics.js';

export const migOptions = z
  .object({
    numTrain: sampleSizeOptions.train('examples the mutual information is estimated from'),
    estimator: opt
      .oneOf(['histogram', 'chen'])
      .default('histogram')
      .describe('histogram: disentanglement_lib (mean codes in equal-width bins); chen: Chen et al. 2018 (entropies of q(z|x), needs the posterior)'),
    bins: opt.positiveInt().default(20).describe('histogram bins per code dimension (histogram estimator)'),
    exclude: z.array(opt.string()).optional().describe('factor names not scored (default: none for histogram; ["shape"] for chen, as Chen et al.)'),
    encodeBatch: sampleSizeOptions.encodeBatch(),
  })
  .strict();
export type MigOptions = z.input<typeof migOptions>;

/**
 * Mutual Information Gap (Chen et al. 2018, "Isolating Sources of Disentanglement in Variational
 * Autoencoders", eq. 6): for each scored factor v_k, the gap between the two largest I(z_j; v_k) over
 * code dimensions j, divided by H(v_k); MIG is the mean over factors.
 *
 * - `histogram` (default) — disentanglement_lib's `mig` (its `discrete_mig`): `numTrain` = 10,000
 *   examples drawn uniformly, their mean codes discretised per dimension into `bins` = 20 equal-width
 *   bins over the observed range, I and H as discrete mutual information / entropy (nats) of the
 *   sampled classes, every factor with more than one class scored.
 * - `chen` — Chen et al.'s own variant: I(z_j; v_k) = H(z_j) − H(z_j | v_k) with entropies of the
 *   aggregate posterior q(z_j) estimated from q(z|x) (see chenMutualInfo; needs `rep.posterior`),
 *   normalised by H(v_k) = log(classes of v_k), and the `shape` factor excluded by default, as in their
 *   dSprites evaluation. Cost O(numTrain² · code size): ~10⁹ density evaluations at the default size.
 *
 * Scores: `mig`, and `mig_<factor>` for each scored factor's normalised gap.
 */
export const mig = metricFunction('mig', migOptions, async (rep, data, o, u) => {
  const exclude = o.exclude ?? (o.estimator === 'chen' ? ['shape'].filter((s) => data.factors.names.includes(s)) : []);
  const scored = scoredFactors(data.factors, exclude, 'mig');
  const { indices, classes } = sampleLabelled(data, scored, o.numTrain, u);
  let info: Float64Array;
  let dim: number;
  let normaliser: number[];
  if (o.estimator === 'chen') {
    const q = await encodePosterior(rep, data, indices, o.encodeBatch);
    dim = q.mean.dim;
    info = chenMutualInfo(q.mean, q.logVar, classes, scored.sizes, u);
    normaliser = scored.sizes.map((s) => Math.log(s));
  } else {
    const codes = await encode(rep, data, indices, o.encodeBatch);
    dim = codes.dim;
    info = histogramMutualInfo(codes.values, codes.n, dim, classes, scored.sizes, o.bins);
    normaliser = classes.map((c, k) => entropy(c, scored.sizes[k]!));
  }
  const gaps = migGaps(info, dim, normaliser);
  const scores: MetricScores = { mig: gaps.reduce((a, b) => a + b, 0) / gaps.length };
  scored.names.forEach((name, k) => (scores[`mig_${name}`] = gaps[k]!));
  return scores;
});

/** Discrete I(z_j; v_k) (nats) after histogram discretisation of each code dimension: dim × factors. */
export function histogramMutualInfo(codes: Float64Array, n: number, dim: number, classes: readonly Int32Array[], sizes: readonly number[], bins: number): Float64Array {
  const out = new Float64Array(dim * classes.length);
  for (let j = 0; j < dim; j++) {
    const binned = histogramBins(column(codes, n, dim, j), bins);
    classes.forEach((c, k) => (out[j * classes.length + k] = mutualInfo(binned, bins, c, sizes[k]!)));
  }
  return out;
}

/**
 * The pure core: per factor k, (largest − second largest of I(z_·; v_k)) / normaliser_k, from a
 * dim × factors information matrix. With one code dimension the gap is its information. A factor
 * with zero entropy gets gap 0.
 */
export function migGaps(info: Float64Array, dim: number, normaliser: readonly number[]): number[] {
  const factors = normaliser.length;
  return normaliser.map((h, k) => {
    const col = Array.from({ length: dim }, (_, j) => info[j * factors + k]!);
    const [first, second] = topTwo(col);
    const gap = col[first]! - (second >= 0 ? col[second]! : 0);
    return h > 0 ? gap / h : 0;
  });
}
