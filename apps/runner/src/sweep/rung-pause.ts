import type { MetricPoint, ResumeInfo, RunInfo, Tracker } from '@elbo/core';

/**
 * `elbo train … --until-epoch N`, how a sweep's scheduler trains a trial to a rung: a tracker that
 * watches the epochs as they end and, once epoch N has ended (its checkpoint is written in the same
 * epoch-end hooks), aborts `signal`, so training stops at the next step and the run ends KILLED —
 * resumable from the checkpoint of epoch N with `elbo train --resume`. A resumed run that is
 * already at or past epoch N stops before its first step.
 */
export class RungPause implements Tracker {
  readonly name = 'rung-pause';
  private readonly abort = new AbortController();
  /** The run folder, known once the run starts. */
  runDir: string | undefined;

  constructor(readonly untilEpoch: number) {}

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** True when the run stopped because it reached the epoch. */
  get reached(): boolean {
    return this.abort.signal.aborted;
  }

  private see(points: readonly Pick<MetricPoint, 'key' | 'step'>[]): void {
    if (points.some((p) => p.key.startsWith('train/') && p.step >= this.untilEpoch)) this.abort.abort();
  }

  async start(run: RunInfo, resume?: ResumeInfo): Promise<void> {
    this.runDir = run.runDir;
    if (resume) this.see(resume.history);
  }
  async logParams(): Promise<void> {}
  async logMetrics(points: readonly MetricPoint[]): Promise<void> {
    this.see(points);
  }
  async logArtifact(): Promise<void> {}
  async finish(): Promise<void> {}
}
