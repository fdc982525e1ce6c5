import { join, resolve } from 'node:path';
import { ConfigError } from '../config/config-error.js';
import { createRequire } from 'node:module';
import type { Container } from 'inversify';
import { Dataset } from '../data/dataset.js';
import type { VaeModel } from '../model/vae-model.js';
import { countParameters } from '../model/parameters.js';
import type { ComponentRegistry } from '../registry/component-registry.js';
import { selectBackend, type BackendChoice } from '@elbo/compute';
import { writeFileAtomic } from '../runtime/files.js';
import type { Logger } from '../runtime/logger.js';
import { Rng } from '../runtime/rng.js';
import type { MetricPoint, RunInfo, RunStatus, Tracker } from '../tracking/tracker.js';
import { TrackerHub } from '../tracking/tracker-hub.js';
import { FigureContribution, type Figure, type FigureMaker } from '../artifacts/figures.js';
import { hasCheckpoint, loadCheckpoint } from '../training/checkpoint.js';
import type { Evaluation } from '../training/evaluate.js';
import { fmt, Trainer } from '../training/trainer.js';
import { TrainingAborted } from '../training/errors.js';
import { createRunContainer, Model, Trackers } from './run-container.js';
import { flattenConfig } from './load-config.js';
import type { ResolvedRunConfig } from './run-config.js';
import { createRunFolder, experimentOf, newRunId, RunFiles, runFolderPath, runIdOf } from './run-folder.js';
import { saveModel } from './saved-model.js';

export interface TrainRunOptions {
  readonly config: ResolvedRunConfig;
  readonly container: Container;
  readonly registry: ComponentRegistry;
  readonly logger: Logger;
  /** Continue the run in this folder from its last checkpoint. */
  readonly resumeDir?: string;
  /** Resume from the checkpoint before the last one (the last is corrupted); later history is replaced. */
  readonly fromPrevious?: boolean;
  /**
   * Start a new run from this run folder's last checkpoint (weights, optimiser, random streams and
   * history), to train past its end: a finished 30-epoch run continued to `train.epochs: 60` trains
   * as one 60-epoch run from the start would. The source run is left as it is.
   */
  readonly continueFrom?: string;
  /** Aborting stops training at the next step; the run ends KILLED. */
  readonly signal?: AbortSignal;
  /** Extra trackers (beyond config.tracking). */
  readonly trackers?: readonly Tracker[];
}

export interface TrainRunResult {
  readonly runDir: string;
  readonly runId: string;
  readonly status: RunStatus;
  readonly backend: BackendChoice;
  readonly evaluation?: Evaluation;
  readonly history: readonly MetricPoint[];
}

function coreVersion(): string {
  try {
    return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Everything a run needs, built from its container before the first step. */
interface Prepared {
  readonly backend: BackendChoice;
  readonly dataset: Dataset;
  readonly model: VaeModel;
  readonly hub: TrackerHub;
  readonly trainer: Trainer;
  readonly container: Container;
}

async function prepare(opts: TrainRunOptions, runDir: string, checkpointDir: string): Promise<Prepared> {
  const { config, logger } = opts;
  const backend = await selectBackend(config.backend);
  logger.info(backend.reason);
  const run = createRunContainer(opts.container, { config, logger, runDir, checkpointDir, trackers: opts.trackers, registry: opts.registry });
  const dataset = await run.getAsync<Dataset>(Dataset);
  logger.info(`data: ${dataset.describe()}`);
  const model = await run.getAsync<VaeModel>(Model);
  logger.info(`model: ${countParameters(model.parameters()).toLocaleString('en-US')} parameters, latent ${config.model.latent}`);
  const hub = await run.getAsync<TrackerHub>(Trackers);
  let trainer: Trainer;
  try {
    // The strategy refuses train.workers it cannot honour here, before the run folder exists.
    trainer = await run.getAsync(Trainer);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { backend, dataset, model, hub, trainer, container: run };
}

/**
 * The `train` use case: creates (or reopens) the run folder, builds everything from the resolved
 * config in the run's container, trains (checkpoints after every epoch), evaluates on the held-out
 * split (negative ELBO, IWAE with k samples, KL per dimension, active units), writes the figures and
 * the saved model, and ends the run FINISHED, FAILED (with the error) or KILLED in every tracker.
 */
export async function trainRun(opts: TrainRunOptions): Promise<TrainRunResult> {
  const { config, logger } = opts;
  const runId = opts.resumeDir ? runIdOf(opts.resumeDir) : newRunId();
  const runDir = opts.resumeDir ?? runFolderPath(config, runId);
  const checkpointDir = join(runDir, RunFiles.checkpoint);
  // Everything is built before the run folder exists, so a problem found while building (a data
  // file, a tracker's settings, train.workers) leaves nothing behind.
  const { backend, dataset, model, hub, trainer, container } = await prepare(opts, runDir, checkpointDir);
  /** Frees what was built when the run cannot start, and rethrows. */
  const release = (e: unknown): never => {
    trainer.dispose();
    model.dispose();
    throw e;
  };
  if (opts.continueFrom) await continueFrom(opts.continueFrom, trainer, config).catch(release);
  if (!opts.resumeDir) await createRunFolder(config, runId);
  const how = trainer.strategy.describe?.();
  if (how) logger.info(how);
  const info: RunInfo = {
    runId,
    experiment: opts.resumeDir ? experimentOf(runDir) : config.experiment,
    runDir,
    startedAt: Date.now(),
    config: config as unknown as Record<string, unknown>,
    tags: {
      'elbo.run_name': config.name ?? runId,
      'elbo.model': `${config.model.encoder.name}/${config.model.decoder.name}+${config.model.likelihood.name}+${config.model.divergence.name}`,
      'elbo.dataset': config.data.name,
      'elbo.backend': backend.name,
      'elbo.version': coreVersion(),
    },
  };
  let resumed = false;
  if (opts.resumeDir && (await hasCheckpoint(checkpointDir))) {
    await restoreTrainer(checkpointDir, trainer, { previous: opts.fromPrevious, note: (m) => logger.warn(m) }).catch(release);
    resumed = true;
    if (trainer.epoch >= config.train.epochs && trainer.evaluations.length > 0)
      release(new ConfigError(`${runDir}: the run has already finished (epoch ${trainer.epoch} of ${config.train.epochs}); nothing to resume`));
    logger.info(`resuming ${runDir} after epoch ${trainer.epoch} (step ${trainer.step})`);
  }
  let status: RunStatus = 'FAILED';
  let evaluation: Evaluation | undefined;
  try {
    await hub.start(info, resumed ? { history: trainer.history } : undefined);
  } catch (e) {
    await hub.finish('FAILED', (e as Error).message).catch(() => {});
    trainer.dispose();
    model.dispose();
    throw e;
  }
  try {
    // A continued run names its source among its inputs (params.json, MLflow's params).
    await hub.logParams({ ...flattenConfig(config), ...(opts.continueFrom ? { continued_from: resolve(opts.continueFrom) } : {}) });
    if (opts.continueFrom) {
      // The new run's record starts with the epochs it continues, as a run trained from the start has them.
      await hub.logMetrics(trainer.history);
      // Its own first checkpoint, so that stopped before its first epoch ends it still resumes from there.
      await trainer.checkpoint(checkpointDir);
      logger.info(`continuing ${opts.continueFrom} after epoch ${trainer.epoch} (step ${trainer.step}), to epoch ${config.train.epochs}, as a new run ${runDir}`);
    }
    await trainer.fit(opts.signal);
    // Randomness after training comes from a fresh family of streams under the run's seed, so the
    // final evaluation and figures depend only on the seed and the weights — not on how the run
    // was interrupted and resumed on the way.
    const after = new Rng(config.seed);
    const finalRng = after.stream('final-eval');
    evaluation = await trainer.evaluateTest(finalRng, config.eval.k, (done, total) =>
      hub.progress({ phase: 'eval', epoch: trainer.epoch, epochs: config.train.epochs, step: trainer.step, stepInEpoch: done, stepsPerEpoch: total, metrics: {} }),
    );
    const now = Date.now();
    // Under keys of its own: the last epoch's held-out `test/*` points share this step.
    const final: Record<string, number> = {
      'final/neg_elbo': evaluation.negElbo,
      'final/recon': evaluation.recon,
      'final/kl': evaluation.kl,
      'final/active_units': evaluation.activeUnits,
    };
    if (evaluation.iwae !== undefined) final[`final/iwae_k${evaluation.k}`] = evaluation.iwae;
    const finalPoints = Object.entries(final).map(([key, value]) => ({ key, value, step: trainer.epoch, timestamp: now }));
    // The checkpoint keeps the final evaluation, so a later `elbo eval` that adds metrics to the
    // run's record keeps it too.
    trainer.evaluations.push(...finalPoints);
    await trainer.checkpoint(checkpointDir);
    await hub.logMetrics(finalPoints);
    hub.message(
      `held-out (${evaluation.n} test examples): negative ELBO ${fmt(evaluation.negElbo)} nats = recon ${fmt(evaluation.recon)} + KL ${fmt(evaluation.kl)}` +
        (evaluation.iwae !== undefined ? `; IWAE −log p(x) ≈ ${fmt(evaluation.iwae)} (k=${evaluation.k})` : '') +
        `; active units ${evaluation.activeUnits}/${config.model.latent}`,
    );
    await writeArtifacts(runDir, model, dataset, after, config, hub, evaluation, container);
    status = 'FINISHED';
  } catch (e) {
    status = e instanceof TrainingAborted ? 'KILLED' : 'FAILED';
    await hub.finish(status, status === 'FAILED' ? (e as Error).message : undefined).catch(() => {});
    throw e;
  } finally {
    trainer.dispose();
    model.dispose();
  }
  await hub.finish(status);
  return { runDir, runId, status, backend, evaluation, history: [...trainer.history, ...trainer.evaluations] };
}

/** Loads the last (or, with `previous`, the one before) checkpoint in `dir` into the trainer. */
async function restoreTrainer(dir: string, trainer: Trainer, how: { previous?: boolean; note?: (m: string) => void } = {}): Promise<void> {
  const ck = await loadCheckpoint(dir, how);
  try {
    trainer.restore(ck);
  } finally {
    for (const t of ck.tensors.values()) t.dispose();
  }
}

/**
 * Restores the trainer from `source`'s last checkpoint for a new run that trains past it; checked
 * before the new run folder exists, so a refusal leaves nothing behind.
 */
async function continueFrom(source: string, trainer: Trainer, config: ResolvedRunConfig): Promise<void> {
  const dir = join(source, RunFiles.checkpoint);
  if (!(await hasCheckpoint(dir))) throw new ConfigError(`${source}: no checkpoint to continue from (expected ${dir})`);
  await restoreTrainer(dir, trainer);
  const at = trainer.epoch;
  if (at >= config.train.epochs)
    throw new ConfigError(`${source}: its checkpoint is after epoch ${at}, and train.epochs is ${config.train.epochs}; continue it with --set train.epochs=N, N above ${at}`);
  // Evaluations of the source's last weights (its final metrics) are not this run's.
  trainer.evaluations.length = 0;
}

async function writeArtifacts(
  runDir: string,
  model: VaeModel,
  dataset: Dataset,
  rng: Rng,
  config: ResolvedRunConfig,
  hub: TrackerHub,
  evaluation: Evaluation,
  container: Container,
): Promise<void> {
  const art = join(runDir, RunFiles.artifacts);
  const files: string[] = [];
  const figures: Figure[] = [];
  const makers = container.isBound(FigureContribution) ? container.getAll<FigureMaker>(FigureContribution) : [];
  for (const maker of makers) figures.push(...(await maker.make(model, dataset, rng.stream(maker.stream ?? `figures/${maker.name}`))));
  for (const fig of figures) {
    await writeFileAtomic(join(art, fig.file), fig.png);
    files.push(fig.file);
  }
  const evalFile = 'evaluation.json';
  await writeFileAtomic(join(art, evalFile), JSON.stringify(evaluation, null, 1));
  files.push(evalFile);
  for (const f of await saveModel(join(art, 'model'), model, config)) files.push(`model/${f}`);
  for (const f of files) await hub.logArtifact(f, join(art, f));
  await hub.logArtifact(RunFiles.config, join(runDir, RunFiles.config));
}
