import type { z } from 'zod';
import { defineComponent, type ComponentDescriptor, type ComponentManifest, type RandomStream } from '@elbo/core';
import { betaVaeScore, betaVaeScoreOptions } from './beta-vae-score.js';
import { dci, dciOptions } from './dci.js';
import { factorVaeScore, factorVaeScoreOptions } from './factor-vae-score.js';
import { gaussianTcOptions, gaussianTotalCorrelation } from './gaussian-tc.js';
import { mig, migOptions } from './mig.js';
import type { GroundTruthData, Metric, MetricScores, Representation } from './representation.js';
import { sapScore, sapScoreOptions } from './sap-score.js';

/** `metric/<name>`: the metric function `score` bound to its options, validated against `options` by the registry. */
function metricComponent<S extends z.ZodType>(
  name: string,
  summary: string,
  options: S,
  score: (rep: Representation, data: GroundTruthData, rng: RandomStream, o: z.output<S>) => Promise<MetricScores>,
): ComponentDescriptor<Metric, S> {
  return defineComponent<Metric, S>({ kind: 'metric', name, summary, options, create: (o) => (rep, data, rng) => score(rep, data, rng, o) });
}

/** `metric/betavae`: BetaVAE score (Higgins et al. 2017). */
export const betaVaeMetric = metricComponent(
  'betavae',
  'BetaVAE score (Higgins et al. 2017): accuracy of a linear classifier telling which factor a batch pair shares',
  betaVaeScoreOptions,
  betaVaeScore,
);

/** `metric/factorvae`: FactorVAE score (Kim & Mnih 2018). */
export const factorVaeMetric = metricComponent(
  'factorvae',
  'FactorVAE score (Kim & Mnih 2018): majority-vote accuracy of the least-varying code dimension under a fixed factor',
  factorVaeScoreOptions,
  factorVaeScore,
);

/** `metric/mig`: Mutual Information Gap (Chen et al. 2018). */
export const migMetric = metricComponent(
  'mig',
  'Mutual Information Gap (Chen et al. 2018): disentanglement_lib histogram estimator, or Chen et al.’s entropy estimator',
  migOptions,
  mig,
);

/** `metric/sap`: SAP score (Kumar et al. 2018). */
export const sapMetric = metricComponent(
  'sap',
  'SAP score (Kumar et al. 2018): mean gap between the two code dimensions that best predict each factor alone',
  sapScoreOptions,
  sapScore,
);

/** `metric/dci`: DCI disentanglement, completeness, informativeness (Eastwood & Williams 2018). */
export const dciMetric = metricComponent(
  'dci',
  'DCI disentanglement, completeness, informativeness (Eastwood & Williams 2018), importances from a small random forest per factor (importance: boosted-trees for gradient-boosted trees)',
  dciOptions,
  dci,
);

/** `metric/dci-gbt`: DCI with disentanglement_lib's importance model, gradient-boosted trees, to report beside `dci`. */
export const dciGbtMetric = metricComponent(
  'dci-gbt',
  'DCI with importances from gradient-boosted trees per factor (disentanglement_lib’s model: 100 rounds, learning rate 0.1, depth 3)',
  dciOptions.omit({ importance: true, trees: true, maxDepth: true }),
  (rep, data, rng, o) => dci(rep, data, rng, { ...o, importance: 'boosted-trees' }),
);

/** `metric/gaussian-tc`: Gaussian total correlation of the mean representation. */
export const gaussianTcMetric = metricComponent(
  'gaussian-tc',
  'Total correlation of a Gaussian fitted to the mean codes, or to sampled ones (disentanglement_lib unsupervised metrics)',
  gaussianTcOptions,
  gaussianTotalCorrelation,
);

/** The metric components of this package, in the order `elbo components --kind metric` lists them. */
export const metricComponents: ComponentManifest = [betaVaeMetric, factorVaeMetric, migMetric, sapMetric, dciMetric, dciGbtMetric, gaussianTcMetric];
