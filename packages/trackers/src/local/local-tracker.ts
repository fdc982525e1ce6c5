import { isAbsolute, join, posix, resolve } from 'node:path';
import { writeFileAtomic, type MetricPoint, type ParamValue, type ResumeInfo, type RunInfo, type RunStatus, type Tracker } from '@elbo/core';
import { appendDurable, copyFileAtomic, describeFile, listFiles } from './durable-files.js';
import { LocalRunFiles, encodeMetricLine, readArtifactIndex, readParams, stableJson, type ArtifactEntry, type RunStatusRecord } from './run-files.js';

export interface LocalTrackerDeps {
  /** Clock for `status.json` times (ms since the epoch); defaults to Date.now. */
  readonly now?: () => number;
}

/**
 * The embedded default tracker: keeps the run's record in its run folder, as plain files a person
 * or a script can read (`params.json`, `metrics.jsonl`, `status.json`, `artifacts.json`; see the
 * package README). JSON files are replaced atomically; `metrics.jsonl` is append-only and fsynced
 * at every `logMetrics`. Calls are serialised, so overlapping calls never interleave their writes.
 */
export class LocalTracker implements Tracker {
  readonly name = 'local';
  private readonly now: () => number;
  private runDir: string | undefined;
  private startedAt = 0;
  private params: Record<string, ParamValue> = {};
  private artifacts: Record<string, ArtifactEntry> = {};
  /** Points not yet on disk (kept when an append fails, retried at the next flush). */
  private pending: MetricPoint[] = [];
  private metricsBytes = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(deps: LocalTrackerDeps = {}) {
    this.now = deps.now ?? Date.now;
  }

  start(run: RunInfo, resume?: ResumeInfo): Promise<void> {
    return this.serial(async () => {
      const dir = resolve(run.runDir);
      this.runDir = dir;
      this.startedAt = run.startedAt;
      this.pending = [];
      // A resumed run keeps what it recorded before; a fresh one starts empty.
      this.params = resume ? readParams(dir) : {};
      this.artifacts = resume ? { ...readArtifactIndex(dir) } : {};
      const history = (resume?.history ?? []).map(encodeMetricLine).join('');
      await writeFileAtomic(join(dir, LocalRunFiles.metrics), history);
      this.metricsBytes = Buffer.byteLength(history);
      await writeFileAtomic(join(dir, LocalRunFiles.params), stableJson(this.params));
      await writeFileAtomic(join(dir, LocalRunFiles.artifactIndex), stableJson(this.artifacts));
      await this.writeStatus({ status: 'RUNNING', startedAt: this.startedAt });
    });
  }

  /** Merges `params` into `params.json` (later calls add or overwrite keys). */
  logParams(params: Readonly<Record<string, ParamValue>>): Promise<void> {
    return this.serial(async () => {
      const dir = this.dir();
      this.params = { ...this.params, ...params };
      await writeFileAtomic(join(dir, LocalRunFiles.params), stableJson(this.params));
    });
  }

  /** Appends the points to `metrics.jsonl` and fsyncs it before resolving. */
  logMetrics(points: readonly MetricPoint[]): Promise<void> {
    const batch = points.slice();
    return this.serial(async () => {
      this.dir();
      this.pending.push(...batch);
      await this.flush();
    });
  }

  /**
   * Indexes an artifact. Core writes artifacts into `<runDir>/artifacts/` before calling; a file that
   * lies elsewhere is copied there first. A folder is indexed file by file (`ckpt/state.json`, …).
   */
  logArtifact(path: string, localFile: string): Promise<void> {
    return this.serial(async () => {
      const dir = this.dir();
      const rel = artifactPath(path);
      const dest = join(dir, LocalRunFiles.artifacts, rel);
      const src = resolve(localFile);
      const files = await listFiles(src);
      for (const f of files) {
        const from = f ? join(src, f) : src;
        const to = f ? join(dest, f) : dest;
        if (resolve(from) !== resolve(to)) await copyFileAtomic(from, to);
        this.artifacts[f ? `${rel}/${f}` : rel] = await describeFile(to);
      }
      await writeFileAtomic(join(dir, LocalRunFiles.artifactIndex), stableJson(this.artifacts));
    });
  }

  finish(status: RunStatus, error?: string): Promise<void> {
    return this.serial(async () => {
      this.dir();
      // Record the status even when the last metrics cannot be written; report that failure after.
      let flushError: unknown;
      try {
        await this.flush();
      } catch (e) {
        flushError = e;
      }
      await this.writeStatus({
        status,
        startedAt: this.startedAt,
        endedAt: this.now(),
        ...(error !== undefined ? { error } : {}),
      });
      if (flushError) throw flushError;
    });
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const data = this.pending.map(encodeMetricLine).join('');
    this.metricsBytes = await appendDurable(join(this.dir(), LocalRunFiles.metrics), data, this.metricsBytes);
    this.pending = [];
  }

  private async writeStatus(record: RunStatusRecord): Promise<void> {
    await writeFileAtomic(join(this.dir(), LocalRunFiles.status), `${JSON.stringify(record, null, 2)}\n`);
  }

  private dir(): string {
    if (this.runDir === undefined) throw new Error('tracker/local: start() must be called before anything is logged');
    return this.runDir;
  }

  /** Runs `fn` after every earlier call has settled (whether it succeeded or not). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** Checks an artifact path: relative, inside the artifact root; returns it normalised with `/`. */
function artifactPath(path: string): string {
  const p = posix.normalize(path.replaceAll('\\', '/'));
  if (!path || isAbsolute(path) || posix.isAbsolute(p) || p === '.' || p === '..' || p.startsWith('../')) {
    throw new Error(`tracker/local: artifact path must be relative to the artifact root, got ${JSON.stringify(path)}`);
  }
  return p.replace(/\/+$/, '');
}
