import type { MetricPoint, ParamValue, Progress, ResumeInfo, RunInfo, RunStatus, Tracker } from './tracker.js';

/** Fans every event out to all of a run's trackers; the trainer talks only to this. */
export class TrackerHub implements Tracker {
  readonly name = 'hub';

  constructor(readonly trackers: readonly Tracker[]) {}

  private async each(f: (t: Tracker) => Promise<void>): Promise<void> {
    const results = await Promise.allSettled(this.trackers.map(f));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`tracker ${this.trackers[i]!.name}: ${(r.reason as Error)?.message ?? r.reason}`] : []));
    if (failed.length) throw new Error(failed.join('; '));
  }

  start(run: RunInfo, resume?: ResumeInfo): Promise<void> {
    return this.each((t) => t.start(run, resume));
  }
  logParams(params: Readonly<Record<string, ParamValue>>): Promise<void> {
    return this.each((t) => t.logParams(params));
  }
  logMetrics(points: readonly MetricPoint[]): Promise<void> {
    return this.each((t) => t.logMetrics(points));
  }
  logArtifact(path: string, localFile: string): Promise<void> {
    return this.each((t) => t.logArtifact(path, localFile));
  }
  progress(p: Progress): void {
    for (const t of this.trackers) t.progress?.(p);
  }
  message(text: string): void {
    for (const t of this.trackers) t.message?.(text);
  }
  /** Finishes every tracker even if some fail, then reports the failures. */
  finish(status: RunStatus, error?: string): Promise<void> {
    return this.each((t) => t.finish(status, error));
  }
}
