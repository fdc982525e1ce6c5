import { defineComponent, type ComponentManifest } from '@elbo/core';
import { betaVaeScore, betaVaeScoreOptions } from './beta-vae-score.js';
import { dci, dciOptions } from './dci.js';
import { factorVaeScore, factorVaeScoreOptions } from './factor-vae-score.js';
import { gaussianTcOptions, gaussianTotalCorrelation } from './gaussian-tc.js';
import { mig, migOptions } from './mig.js';
import type { Metric } from './representation.js';
import { sapScore, sapScoreOptions } from './sap-score.js';

/** `metric/betavae`: BetaVAE score (Higgins et al. 2017). */
export const betaVaeMetric = defineComponent<Metric, typeof betaVaeScoreOptions>({
  kind: 'metric',
  name: 'betavae',
  summary: 'BetaVAE score (Higgins et al. 2017): accuracy of a linear classifier telling which factor a batch pair shares',
  options: betaVaeScoreOptions,
  create: (o) => (rep, data, rng) => betaVaeScore(rep, data, rng, o),
});

/** `metric/factorvae`: FactorVAE score (Kim & Mnih 2018). */
export const factorVaeMetric = defineComponent<Metric, typeof factorVaeScoreOptions>({
  kind: 'metric',
  name: 'factorvae',
  summary: 'FactorVAE score (Kim & Mnih 2018): majority-vote accuracy of the least-varying code dimension under a fixed factor',
  options: factorVaeScoreOptions,
  create: (o) => (rep, data, rng) => factorVaeScore(rep, data, rng, o),
});

/** `metric/mig`: Mutual Information Gap (Chen et al. 2018). */
export const migMetric = defineComponent<Metric, typeof migOptions>({
  kind: 'metric',
  name: 'mig',
  summary: 'Mutual Information Gap (Chen et al. 2018): disentanglement_lib histogram estimator, or Chen et al.’s entropy estimator',
  options: migOptions,
  create: (o) => (rep, data, rng) => mig(rep, data, rng, o),
});

/** `metric/sap`: SAP score (Kumar et al. 2018). */
export const sapMetric = defineComponent<Metric, typeof sapScoreOptions>({
  kind: 'metric',
  name: 'sap',
  summary: 'SAP score (Kumar et al. 2018): mean gap between the two code dimensions that best predict each factor alone',
  options: sapScoreOptions,
  create: (o) => (rep, data, rng) => sapScore(rep, data, rng, o),
});

/** `metric/dci`: DCI disentanglement, completeness, informativeness (Eastwood & Williams 2018). */
export const dciMetric = defineComponent<Metric, typeof dciOptions>({
  kind: 'metric',
  name: 'dci',
  summary: 'DCI disentanglement, completeness, informativeness (Eastwood & Williams 2018), importances from L1 logistic regression',
  options: dciOptions,
  create: (o) => (rep, data, rng) => dci(rep, data, rng, o),
});

/** `metric/gaussian-tc`: Gaussian total correlation of the mean representation. */
export const gaussianTcMetric = defineComponent<Metric, typeof gaussianTcOptions>({
  kind: 'metric',
  name: 'gaussian-tc',
  summary: 'Total correlation of a Gaussian fitted to the mean codes (disentanglement_lib unsupervised metrics)',
  options: gaussianTcOptions,
  create: (o) => (rep, data, rng) => gaussianTotalCorrelation(rep, data, rng, o),
});

/** The metric components of this package, in the order `elbo components --kind metric` lists them. */
export const metricComponents: ComponentManifest = [betaVaeMetric, factorVaeMetric, migMetric, sapMetric, dciMetric, gaussianTcMetric];
