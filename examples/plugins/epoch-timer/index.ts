/**
 * An ELBO plugin that changes a run's services rather than adding a component: it adds a trainer
 * callback to every run, recording each epoch's wall time (steps and held-out evaluation) as `train/epoch_seconds` beside the
 * losses (so MLflow and `metrics.jsonl` show where time goes), and wraps the run's trackers so the
 * final held-out line also says how long training took.
 *
 * Load it with `plugins: ["./plugins/epoch-timer/index.ts"]`. The mechanism: a package binds a
 * `RunModule` — a ContainerModule loaded into every run's container after the defaults — in which
 * it may `bind` more `TrainerCallback`s or `Tracker`s, `rebind` any service, or decorate one with
 * `onActivation`.
 */
import { ContainerModule } from 'inversify';
import { RunModule, TrainerCallback, Trackers, type TrackerHub } from '@elbo/core';

/** Wall time of each epoch (its steps and its held-out evaluation), and of the whole fit. */
class EpochTimer implements TrainerCallback {
  readonly name = 'epoch-timer';
  private epochStart = 0;
  private fitStart = 0;
  fitSeconds = 0;

  onFitStart(): void {
    this.fitStart = this.epochStart = performance.now();
  }

  onEpochEnd(): void {
    this.epochStart = performance.now();
  }

  onEpochMetrics(_trainer: unknown, _epoch: number, metrics: Record<string, number>): void {
    metrics['train/epoch_seconds'] = (performance.now() - this.epochStart) / 1000;
  }

  onFitEnd(): void {
    this.fitSeconds = (performance.now() - this.fitStart) / 1000;
  }
}

const perRun = new ContainerModule(({ bind, onActivation }) => {
  const timer = new EpochTimer();
  bind(TrainerCallback).toConstantValue(timer);
  // Decorate the run's tracker hub: its final message gains the training time.
  onActivation<TrackerHub>(Trackers, (_ctx, hub) => {
    const message = hub.message.bind(hub);
    hub.message = (text: string) => message(text.startsWith('held-out') ? `${text}; trained in ${timer.fitSeconds.toFixed(1)} s` : text);
    return hub;
  });
});

/** The plugin's single ContainerModule: it contributes no component, only what every run loads. */
export default new ContainerModule(({ bind }) => {
  bind(RunModule).toConstantValue(perRun);
});
