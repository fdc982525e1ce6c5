export { metricComponents, betaVaeMetric, factorVaeMetric, migMetric, sapMetric, dciMetric, dciGbtMetric, gaussianTcMetric } from './metric-components.js';
export { groundTruthData, parseMetricOptions, type Representation, type GroundTruthData, type Metric, type MetricScores } from './representation.js';
export { betaVaeScore, betaVaePoints, betaVaeScoreOptions, type BetaVaeScoreOptions } from './beta-vae-score.js';
export { factorVaeScore, factorVaeVotes, majorityClassifier, voteAccuracy, factorVaeScoreOptions, type FactorVaeScoreOptions } from './factor-vae-score.js';
export { mig, migGaps, histogramMutualInfo, migOptions, type MigOptions } from './mig.js';
export { chenMutualInfo } from './mig-entropy.js';
export { sapScore, sapFromMatrix, discreteScoreMatrix, continuousScoreMatrix, sapScoreOptions, type SapScoreOptions } from './sap-score.js';
export { dci, disentanglement, completeness, dciOptions, type DciOptions } from './dci.js';
export { gaussianTotalCorrelation, gaussianTcFromCodes, gaussianTcOptions, type GaussianTcOptions } from './gaussian-tc.js';
export { SoftmaxRegression, type SoftmaxRegressionOptions } from './softmax-regression.js';
export { thresholdClassifier, linearSvmClassifier, type Predictor } from './one-dimensional-classifiers.js';
export { histogramBins, mutualInfo, entropy } from './discrete-mutual-info.js';
export {
  scoredFactors,
  sampleExamples,
  sampleClasses,
  examplesOf,
  factorColumn,
  encode,
  encodePosterior,
  type ScoredFactors,
  type Codes,
  type Uniform,
} from './ground-truth-sampling.js';
export { GradientBoostedTrees, type GradientBoostingOptions } from './gradient-boosting.js';
