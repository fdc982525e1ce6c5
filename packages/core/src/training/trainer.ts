import type * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../config/config-error.js';
import type { Dataset } from '../data/dataset.js';
import type { VaeModel } from '../model/vae-model.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Rng } from '../runtime/rng.js';
import type { MetricPoint } from '../tracking/tracker.js';
import type { TrainerCallback } from './callbacks.js';
import { saveCheckpoint, type Checkpoint } from './checkpoint.js';
import { TrainingDiverged } from './errors.js';
import { evaluate, type Evaluation, type EvaluationOptions } from './evaluate.js';
import type { TrainingStrategy } from './strategy.js';

export interface TrainerOptions {
  readonly epochs: number;
  readonly batchSize: number;
  /** Steps between read-backs of the running losses (for progress; never every step). */
  readonly readEvery: number;
  /** Examples of the test split per evaluation batch, and how many are evaluated. */
  readonly evalBatchSize: number;
  readonly evalLimit?: number;
  /** Cap on steps per epoch (each epoch still draws a fresh permutation of the whole split). */
  readonly stepsPerEpoch?: number;
  readonly keepCheckpoints?: number; // checkpoints kept: the newest and those before it
  readonly compile?: EvaluationOptions['compile']; // evaluation batches as compiled functions on the native backend
}
export const TrainerOptions = Symbol('TrainerOptions');

/** Checkpoint keys of the optimiser's state; `adam/` is how runs before optimiser components wrote it. */
const OPTIMIZER_PREFIXES = ['optimizer/', 'adam/'];

/**
 * The one training loop for every model. Each epoch the strategy runs the steps; then every
 * callback's `onEpochMetrics` adds to the epoch's metrics (the held-out evaluation), a non-finite
 * loss stops the run, the points join the history, and `onEpochEnd` runs (checkpoints, tracking).
 * What differs between runs — where the steps run, what is saved and reported when — is in the
 * strategy and the callbacks it is given, not in the loop.
 */
export class Trainer {
  readonly history: MetricPoint[] = [];
  /** Evaluations of the current weights after training (final metrics); saved with checkpoints. */
  readonly evaluations: MetricPoint[] = [];
  epoch = 0;
  step = 0;
  readonly optimizer: Optimizer;

  constructor(
    readonly model: VaeModel,
    readonly dataset: Dataset,
    readonly rng: Rng,
    optimizer: (params: ReadonlyMap<string, tf.Variable>) => Optimizer,
    readonly strategy: TrainingStrategy,
    readonly callbacks: readonly TrainerCallback[],
    readonly options: TrainerOptions,
  ) {
    if (this.stepsPerEpoch < 1) throw new ConfigError(`train.batchSize: ${options.batchSize} is larger than the training split (${dataset.train.size} examples)`);
    this.optimizer = optimizer(model.parameters());
  }

  /** Restores weights, optimiser, the divergence's own state, RNG positions and history from a checkpoint. */
  restore(ck: Checkpoint): void {
    for (const [name, v] of this.model.parameters()) {
      const t = ck.tensors.get(`param/${name}`);
      if (!t) throw new Error(`checkpoint has no parameter "${name}" (was the config changed?)`);
      v.assign(t);
    }
    const opt = new Map<string, tf.Tensor>();
    const aux = new Map<string, tf.Tensor>();
    for (const [k, t] of ck.tensors) {
      const prefix = OPTIMIZER_PREFIXES.find((p) => k.startsWith(p));
      if (prefix) opt.set(k.slice(prefix.length), t);
      if (k.startsWith('aux/')) aux.set(k.slice(4), t);
    }
    this.optimizer.restore(ck.optimizer.iterations, opt);
    if (aux.size) this.model.divergence.restoreAuxiliaryState?.(aux);
    this.rng.restore(ck.rng);
    this.epoch = ck.epoch;
    this.step = ck.step;
    this.history.splice(0, this.history.length, ...ck.history);
    this.evaluations.splice(0, this.evaluations.length, ...ck.evaluations);
  }

  get stepsPerEpoch(): number {
    return Math.min(Math.floor(this.dataset.train.size / this.options.batchSize), this.options.stepsPerEpoch ?? Infinity);
  }

  async fit(signal?: AbortSignal): Promise<void> {
    const { epochs } = this.options;
    const steps = this.stepsPerEpoch;
    for (const c of this.callbacks) await c.onFitStart?.(this);
    const onStep = (s: Parameters<NonNullable<TrainerCallback['onStepEnd']>>[1]) => {
      for (const c of this.callbacks) c.onStepEnd?.(this, s);
    };
    while (this.epoch < epochs) {
      const epoch = this.epoch + 1;
      const { keys, sums } = await this.strategy.runEpoch(this, epoch, steps, onStep, signal);
      const metrics: Record<string, number> = Object.fromEntries(keys.map((k, i) => [`train/${k}`, sums[i]! / steps]));
      for (const c of this.callbacks) await c.onEpochMetrics?.(this, epoch, metrics);
      for (const [k, v] of Object.entries(metrics)) if (!Number.isFinite(v) && k.endsWith('loss')) throw new TrainingDiverged(epoch, k, v);
      const now = Date.now();
      const points = Object.entries(metrics).map(([key, value]) => ({ key, value, step: epoch, timestamp: now }));
      this.history.push(...points);
      this.evaluations.length = 0; // evaluations of earlier weights are stale now
      this.epoch = epoch;
      for (const c of this.callbacks) await c.onEpochEnd?.(this, epoch, points);
    }
    for (const c of this.callbacks) await c.onFitEnd?.(this);
  }

  /** Held-out evaluation with the trainer's own streams (k = 0: ELBO only). */
  evaluateTest(stream = this.rng.stream('eval'), k: number, onProgress?: (done: number, total: number) => void): Promise<Evaluation> {
    return evaluate(this.model, this.dataset.test, stream, { k, batchSize: this.options.evalBatchSize, limit: this.options.evalLimit, onProgress, compile: this.options.compile });
  }

  /** Weights, optimiser state, the divergence's own state, RNG positions and history, into `dir`. */
  async checkpoint(dir: string): Promise<void> {
    const tensors = new Map<string, tf.Tensor>();
    for (const [k, v] of this.model.parameters()) tensors.set(`param/${k}`, v);
    const opt = this.optimizer.state();
    for (const [k, v] of opt.tensors) tensors.set(`${OPTIMIZER_PREFIXES[0]}${k}`, v);
    for (const [k, v] of this.model.divergence.auxiliaryState?.() ?? []) tensors.set(`aux/${k}`, v);
    await saveCheckpoint(
      dir,
      { epoch: this.epoch, step: this.step, rng: this.rng.state(), optimizer: { iterations: opt.iterations }, history: this.history, evaluations: this.evaluations },
      tensors,
      this.options.keepCheckpoints,
    );
  }

  dispose(): void {
    this.optimizer.dispose();
    void this.strategy.dispose();
  }
}

export function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(2) : v.toPrecision(4);
}
