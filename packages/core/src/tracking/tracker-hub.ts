import { ConfigError } from '../config/config-error.js';
import type { MetricPoint, ParamValue, Progress, ResumeInfo, RunInfo, RunStatus, Tracker } from './tracker.js';

/** Fans every event out to all of a run's trackers; the trainer talks only to this. */
export class TrackerHub implements Tracker {
  readonly name = 'hub';

  constructor(readonly trackers: readonly Tracker[]) {}

  /** Runs `f` on every tracker; failures are reported together, as a ConfigError when all are one. */
  private async each(f: (t: Tracker) => Promise<void>): Promise<void> {
    const results = await Promise.allSettled(this.trackers.map(f));
    const reasons = results.flatMap((r, i) => (r.status === 'rejected' ? [{ tracker: this.trackers[i]!.name, error: r.reason as unknown }] : []));
    if (!reasons.length) return;
    const lines = reasons.map((r) => `tracker ${r.tracker}: ${(r.error as Error)?.message ?? r.error}`);
    if (reasons.every((r) => r.error instanceof ConfigError)) throw ConfigError.of(lines);
    throw new Error(lines.join('; '));
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
