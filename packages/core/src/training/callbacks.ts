import type { MetricPoint, Progress, Tracker } from '../tracking/tracker.js';
import type { Trainer } from './trainer.js';

/** A step has ended (no host sync has happened for it: `metrics` are the last values read back). */
export interface StepEnd {
  readonly epoch: number;
  readonly stepInEpoch: number;
  readonly stepsPerEpoch: number;
  /** Running means of the loss parts, refreshed every `train.readEvery` steps. */
  readonly metrics: Readonly<Record<string, number>>;
}

/**
 * Lightning-style hooks of the one training loop. Per epoch the loop runs the strategy's steps
 * (`onStepEnd` after each), then asks every callback for the epoch's metrics (`onEpochMetrics`:
 * held-out evaluation adds `test/*`), records them in the history, and calls `onEpochEnd` (checkpoint,
 * tracking). Callbacks run in the order they are bound; a plugin adds one by binding
 * `TrainerCallback` in its run module.
 */
export interface TrainerCallback {
  readonly name: string;
  onFitStart?(trainer: Trainer): void | Promise<void>;
  onStepEnd?(trainer: Trainer, step: StepEnd): void;
  onEpochMetrics?(trainer: Trainer, epoch: number, metrics: Record<string, number>): void | Promise<void>;
  onEpochEnd?(trainer: Trainer, epoch: number, points: readonly MetricPoint[]): void | Promise<void>;
  onFitEnd?(trainer: Trainer): void | Promise<void>;
}
export const TrainerCallback = Symbol('TrainerCallback');

/** Held-out negative ELBO (no IWAE) after every epoch, from the trainer's `eval` stream. */
export const heldOutEvaluation: TrainerCallback = {
  name: 'held-out-evaluation',
  async onEpochMetrics(trainer, _epoch, metrics) {
    const ev = await trainer.evaluateTest(trainer.rng.stream('eval'), 0);
    Object.assign(metrics, { 'test/neg_elbo': ev.negElbo, 'test/recon': ev.recon, 'test/kl': ev.kl });
  },
};

/** A checkpoint every `every` epochs and after the last one, into `dir`. */
export function checkpointing(dir: string, every: number): TrainerCallback {
  return {
    name: 'checkpointing',
    async onEpochEnd(trainer, epoch) {
      if (epoch % every === 0 || epoch === trainer.options.epochs) await trainer.checkpoint(dir);
    },
  };
}

/** Progress of every step and the metric points of every epoch, to the run's trackers. */
export function tracking(tracker: Tracker): TrainerCallback {
  return {
    name: 'tracking',
    onStepEnd(trainer, s) {
      const p: Progress = {
        phase: 'train',
        epoch: s.epoch,
        epochs: trainer.options.epochs,
        step: trainer.step,
        stepInEpoch: s.stepInEpoch,
        stepsPerEpoch: s.stepsPerEpoch,
        metrics: s.metrics,
      };
      tracker.progress?.(p);
    },
    onEpochEnd: (_trainer, _epoch, points) => tracker.logMetrics(points),
  };
}
