export { DiagonalGaussian, type BatchRows } from './distributions/diagonal-gaussian.js';
export { Bernoulli } from './distributions/bernoulli.js';
export { PosteriorFamily, type Posterior, type PosteriorFeature } from './distributions/posterior.js';
export {
  Encoder,
  type Inference,
  Decoder,
  Prior,
  Likelihood,
  Divergence,
  Schedule,
  Conditioner,
  type ConditionInput,
  type Condition,
  type DecoderOutput,
  type DivergenceContext,
  type DivergenceTerms,
  type AuxiliaryBatch,
} from './model/interfaces.js';
export { ParameterStore, collectParameters, countParameters, NO_PARAMETERS, type HasParameters } from './model/parameters.js';
export { Rng, RandomStream, mulberry32, RngToken, type RngState } from './runtime/rng.js';
export { Logger, StderrLogger, SilentLogger, progressLog } from './runtime/logger.js';
export { Dataset, type DataSplit, type BatchTransform, type SplitName, type GroundTruthFactors } from './data/dataset.js';
export { Tracker, type RunStatus, type ParamValue, type MetricPoint, type RunInfo, type ResumeInfo, type Progress } from './tracking/tracker.js';
export {
  ComponentContribution,
  defineComponent,
  type ComponentKind,
  type ComponentDescriptor,
  type ComponentManifest,
  type BuildContext,
  type ModelShape,
} from './registry/component.js';
export { ComponentRegistry, type ComponentSection, type ResolvedSection } from './registry/component-registry.js';
export { nearest } from './registry/suggest.js';
export { ConfigError, DataError } from './config/config-error.js';
export { opt, show, validate, formatIssues, activationOption } from './config/options.js';
export { writeFileAtomic } from './runtime/files.js';
export { ZipReader, type ZipMember, type ZipOpenOptions } from './runtime/zip-reader.js';
export { Optimizer } from './optim/optimizer.js';
export { optimizerComponents } from './optim/optimizer-components.js';
export { Trainer, TrainerOptions } from './training/trainer.js';
export { TrainingAborted, TrainingDiverged } from './training/errors.js';
export { TrainerCallback, heldOutEvaluation, checkpointing, tracking, type StepEnd } from './training/callbacks.js';
export { TrainingStrategy, InProcessStrategy, type EpochSums } from './training/strategy.js';
export { lossAndGradients, accumulate } from './training/step.js';
export { evaluate, elboTerms, importanceWeighted, type Encoded, type Evaluation, type EvaluationOptions } from './training/evaluate.js';
export {
  saveCheckpoint,
  loadCheckpoint,
  hasCheckpoint,
  appendCheckpointEvaluations,
  packTensors,
  unpackTensors,
  type Checkpoint,
  type CheckpointState,
} from './training/checkpoint.js';
export { constantSchedule, linearWarmupSchedule } from './training/schedules.js';
export { VaeModel, type Objective, type ObjectiveOutput } from './model/vae-model.js';
export { StandardNormalPrior, BernoulliLikelihood, AnalyticKl } from './model/standard-parts.js';
export { GaussianHeadEncoder, ParamsHeadDecoder, type ConditionedNetwork } from './model/head-networks.js';
export { defineNetwork, type NetworkDescriptor } from './model/define-network.js';
export { TrackerHub } from './tracking/tracker-hub.js';
export { encodeImageGrid, decodePng, type GridOptions } from './artifacts/image-grid.js';
export { FigureContribution, type Figure, type FigureMaker } from './artifacts/figures.js';
export { RunConfigSchema, type RunConfigInput, type ResolvedRunConfig, type ResolvedSectionConfig } from './run/run-config.js';
export { loadConfig, readConfigFile, applyOverride, parsePath, deepMerge, flattenConfig } from './run/load-config.js';
export { resolveConfig } from './run/resolve-config.js';
export { buildDataset, buildTrackers, createComponent, type BuildDeps } from './run/build-model.js';
export { createRunContainer, RunConfig, Model, Shape, Trackers, RunModule, RunDir, type RunContainerOptions } from './run/run-container.js';
export { createContainer, loadPlugins } from './run/container.js';
export { createRunFolder, runFolderPath, readRunConfig, newRunId, RunFiles, runIdOf, experimentOf } from './run/run-folder.js';
export { saveModel } from './run/saved-model.js';
export { trainRun, type TrainRunOptions, type TrainRunResult } from './run/train-run.js';
export { openRun, type OpenRun } from './run/open-run.js';
export { evaluateRun, type EvaluateRunOptions, type RunEvaluation } from './run/evaluate-run.js';
export { coreModule, coreManifest } from './core-module.js';
export { groundTruthData, modelRepresentation, type Representation, type GroundTruthData, type EvaluationMetric } from './evaluation/model-metrics.js';
