import { readdir } from 'node:fs/promises';
import { isAbsolute, join, posix, resolve } from 'node:path';
import { RunFiles, type Logger, type MetricPoint, type ParamValue, type ResumeInfo, type RunInfo, type RunStatus, type Tracker } from '@elbo/core';
import { listFiles } from '../local/durable-files.js';
import { MlflowLimits, safeKey, truncate, wireNumber, type WireMetric } from './log-batches.js';
import { MlflowClient, artifactRoot } from './mlflow-client.js';
import { MlflowHttp, type MlflowHttpDeps } from './mlflow-http.js';
import type { MlflowSettings } from './mlflow-settings.js';
import { MlflowSpool, MlflowRunFiles, type SpoolRecord, type SpoolState } from './mlflow-spool.js';
import { runName, runTags, type RunTagSources } from './run-tags.js';
import { isTransient, SpoolSender } from './spool-sender.js';

export interface MlflowTrackerDeps {
  readonly logger: Logger;
  readonly now?: () => number;
  readonly http?: MlflowHttpDeps;
  readonly tagSources?: RunTagSources;
}

/** How a person opens the run in the MLflow UI. */
export function runUrl(trackingUri: string, experimentId: string, runId: string): string {
  return `${trackingUri}/#/experiments/${experimentId}/runs/${runId}`;
}

/**
 * `tracker/mlflow`: the run in an MLflow tracking server, over its REST API. `start` reaches the
 * server (a bad URI, an unknown experiment id or refused credentials fail the run before training),
 * finds or creates the experiment and creates the run, or reopens the run a resumed run folder
 * recorded. Every later event is written durably to `<runDir>/mlflow/spool.jsonl` first and sent in
 * the background, so training never waits for the network and an outage loses nothing; `finish`
 * uploads the last checkpoint, sets the final status and waits for the spool to drain — or, when
 * the server stays away for `flushTimeout` seconds, leaves the rest to `elbo sync <run-dir>`.
 */
export class MlflowTracker implements Tracker {
  readonly name = 'mlflow';
  private readonly now: () => number;
  private runDir: string | undefined;
  private spool: MlflowSpool | undefined;
  private sender: SpoolSender | undefined;
  private http: MlflowHttp | undefined;
  private state: SpoolState | undefined;
  private readonly warned = new Set<string>();
  private finished = false;
  /** Metric points the spool already holds, by `key@step`: a replayed one keeps its first timestamp. */
  private recorded = new Map<string, WireMetric>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly settings: MlflowSettings,
    private readonly deps: MlflowTrackerDeps,
  ) {
    this.now = deps.now ?? Date.now;
  }

  /** The MLflow run id (after start). */
  get mlflowRunId(): string | undefined {
    return this.state?.runId;
  }

  start(run: RunInfo, resume?: ResumeInfo): Promise<void> {
    return this.serial(async () => {
      const { settings } = this;
      const runDir = resolve(run.runDir);
      const http = new MlflowHttp(settings, { ...this.deps.http, onRetry: (e, ms) => this.deps.logger.debug(`mlflow: ${e.message}; retrying in ${(ms / 1000).toFixed(1)} s`) });
      const client = new MlflowClient(http);
      const policy = http.policy({ deadline: this.now() + settings.startTimeoutMs, maxDelayMs: 4000 });
      const spool = await MlflowSpool.open(runDir);
      await spool.lock();
      let root: string | undefined;
      let created: string | undefined;
      let away: Error | undefined;
      try {
        if (spool.state) {
          await this.reopen(client, spool.state, policy);
        } else {
          const experiment = await client.resolveExperiment(settings.experiment ?? { name: run.experiment }, { policy });
          const info = await client.createRun(
            { experimentId: experiment.experiment_id, startTime: run.startedAt, runName: runName(run, settings), tags: runTags(run, settings, this.deps.tagSources) },
            { policy },
          );
          created = info.run_id;
          await spool.setState({ trackingUri: settings.trackingUri, experimentId: info.experiment_id, runId: info.run_id, artifactUri: info.artifact_uri ?? '', acked: -1 });
        }
        const state = spool.state!;
        if (settings.artifacts) {
          root = artifactRoot(state.artifactUri, settings.trackingUri);
          await client.listArtifacts(root, { policy });
        }
      } catch (e) {
        // A run folder that already holds its MLflow run (a resume) goes on while the server is
        // away, as a running one does: its events wait in the spool until the server is back.
        if (spool.state && !created && isTransient(e)) away = e as Error;
        else {
          // A run created just now would stay RUNNING in MLflow forever: end it (best effort).
          if (created) await client.updateRun(created, 'FAILED', this.now(), { policy: http.policy({ maxRetries: 0 }) }).catch(() => undefined);
          await http.close(0);
          await spool.unlock();
          throw new Error(http.redact((e as Error).message));
        }
      }
      if (away && settings.artifacts) root ??= artifactRoot(spool.state!.artifactUri, settings.trackingUri);
      this.runDir = runDir;
      this.spool = spool;
      this.http = http;
      this.state = spool.state!;
      const records: SpoolRecord[] = [];
      // A resume from an earlier checkpoint (--from-previous) replays epochs the server already has:
      // a replayed point with the same value gets its first timestamp, so the server de-duplicates it
      // and each key keeps one value per step.
      this.recorded = new Map(spool.events.flatMap((e) => (e.type === 'metrics' ? e.metrics.map((m) => [`${m.key}@${m.step}`, m] as const) : [])));
      if (resume || spool.events.length > 0) records.push({ type: 'status', status: 'RUNNING', endTime: this.now() });
      // The history up to the checkpoint, with its original timestamps: points the server already
      // has are de-duplicated, points it missed (the tracker was added, the spool was lost) arrive.
      if (resume?.history.length) records.push(this.metricsRecord(resume.history));
      this.sender = new SpoolSender(client, spool, { runId: this.state.runId, artifactUri: this.state.artifactUri, artifactRoot: root }, this.deps.logger, {
        maxRetries: Infinity,
        backoffFactor: settings.backoffFactor,
        backoffJitter: settings.backoffJitter,
        maxDelayMs: 30_000,
      });
      if (away) {
        this.sender.outage = away;
        this.deps.logger.warn(
          `mlflow: ${http.redact(away.message)}; training goes on, events are kept in ${join(runDir, MlflowRunFiles.spool)} and sent when the server is back (or by \`elbo sync ${runDir}\`)`,
        );
      }
      this.sender.enqueue(spool.pending());
      await this.record(records);
      this.sender.runInBackground();
      this.deps.logger.info(`mlflow: run ${this.state.runId} — ${runUrl(settings.trackingUri, this.state.experimentId, this.state.runId)}`);
    });
  }

  /** Reopens the MLflow run a run folder recorded (resume, or a second start). */
  private async reopen(client: MlflowClient, state: SpoolState, policy: ReturnType<MlflowHttp['policy']>): Promise<void> {
    const uri = this.settings.trackingUri;
    const existing = await client.getRun(state.runId, { policy });
    if (!existing || existing.info.lifecycle_stage === 'deleted') {
      const elsewhere = state.trackingUri !== uri ? ` (the run folder recorded it at ${state.trackingUri})` : '';
      throw new Error(
        `MLflow run ${state.runId} recorded in ${MlflowRunFiles.state} ${existing ? 'is deleted' : 'does not exist'} at ${uri}${elsewhere}: point MLFLOW_TRACKING_URI at its server, or remove the run folder's mlflow/ folder to start a new MLflow run`,
      );
    }
  }

  logParams(params: Readonly<Record<string, ParamValue>>): Promise<void> {
    return this.serial(async () => {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(params)) {
        const key = this.checkedKey(k, 'param');
        const t = truncate(String(v), MlflowLimits.paramValueLength);
        if (t.truncated)
          this.warnOnce(
            `param:${key}`,
            `param ${key}: value longer than ${MlflowLimits.paramValueLength} characters, truncated as the server does (the full value is in config.yaml)`,
          );
        out[key] = t.value;
      }
      await this.record([{ type: 'params', params: out }]);
    });
  }

  logMetrics(points: readonly MetricPoint[]): Promise<void> {
    const batch = points.slice();
    return this.serial(() => this.record([this.metricsRecord(batch)]));
  }

  logArtifact(path: string, localFile: string): Promise<void> {
    return this.serial(async () => {
      const rel = artifactPath(path);
      if (!this.settings.artifacts) return;
      const src = resolve(localFile);
      const files = await listFiles(src);
      await this.record(files.map((f) => ({ type: 'artifact', path: f ? `${rel}/${f}` : rel, file: this.spoolOf().fileRef(f ? join(src, f) : src) })));
    });
  }

  finish(status: RunStatus, error?: string): Promise<void> {
    return this.serial(async () => {
      const spool = this.spoolOf();
      const sender = this.sender!;
      if (this.finished) {
        // The sender is gone: record the new status for `elbo sync`.
        await spool.append([{ type: 'status', status, endTime: this.now() }]);
        return;
      }
      this.finished = true;
      const records: SpoolRecord[] = [];
      if (this.settings.artifacts && this.settings.logCheckpoint) {
        const dir = join(this.runDir!, RunFiles.checkpoint);
        const names = await readdir(dir).catch(() => [] as string[]);
        for (const f of names.filter((n) => !n.includes('.tmp-')).sort()) records.push({ type: 'artifact', path: `checkpoint/${f}`, file: spool.fileRef(join(dir, f)) });
      }
      if (error !== undefined) records.push({ type: 'tags', tags: { 'elbo.error': truncate(this.http!.redact(error), MlflowLimits.tagValueLength).value } });
      if (status === 'FINISHED' && this.settings.registerModel && this.settings.artifacts)
        records.push({ type: 'register-model', name: this.settings.registerModel, path: 'model' });
      records.push({ type: 'status', status, endTime: this.now() });
      await this.record(records);
      const outcome = await sender.drain(this.settings.flushTimeoutMs);
      await sender.stop();
      await this.http!.close();
      await spool.unlock().catch(() => undefined);
      const left = spool.pending().length;
      const sync = `\`elbo sync ${this.runDir}\``;
      if (outcome === 'halted') {
        throw new Error(
          `${this.http!.redact(sender.halted!.message)}; ${left} events not sent are kept in ${join(this.runDir!, MlflowRunFiles.spool)} — fix the cause, then ${sync} sends them`,
        );
      }
      if (outcome === 'timeout') {
        const why = sender.outage ? this.http!.redact(sender.outage.message) : 'the server made no progress';
        this.deps.logger.warn(`mlflow: ${why}; ${left} events not sent are kept in ${join(this.runDir!, MlflowRunFiles.spool)}: ${sync} sends them when the server is back`);
      }
    });
  }

  private metricsRecord(points: readonly MetricPoint[]): SpoolRecord {
    return {
      type: 'metrics',
      metrics: points.map((p) => {
        const m = { key: this.checkedKey(p.key, 'metric'), value: wireNumber(p.value), timestamp: Math.round(p.timestamp), step: Math.round(p.step) };
        const before = this.recorded.get(`${m.key}@${m.step}`);
        return before?.value === m.value ? before : m;
      }),
    };
  }

  /** Appends to the spool (durably) and hands the events to the sender. */
  private async record(records: readonly SpoolRecord[]): Promise<void> {
    const events = await this.spoolOf().append(records);
    this.sender!.enqueue(events);
  }

  private checkedKey(key: string, what: string): string {
    const safe = safeKey(key);
    if (safe !== key) this.warnOnce(`key:${key}`, `${what} ${JSON.stringify(key)} is not a valid MLflow key; logged as ${JSON.stringify(safe)}`);
    return safe;
  }

  private warnOnce(id: string, message: string): void {
    if (this.warned.has(id)) return;
    this.warned.add(id);
    this.deps.logger.warn(`mlflow: ${message}`);
  }

  private spoolOf(): MlflowSpool {
    if (!this.spool) throw new Error('tracker/mlflow: start() must succeed before anything is logged');
    return this.spool;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** Checks an artifact path: relative, inside the artifact root, no `..`; returns it normalised with `/`. */
export function artifactPath(path: string): string {
  const p = posix.normalize(path.replaceAll('\\', '/')).replace(/\/+$/, '');
  if (!path || isAbsolute(path) || posix.isAbsolute(p) || p === '.' || p === '..' || p.startsWith('../') || /^[a-zA-Z]:/.test(path)) {
    throw new Error(`tracker/mlflow: artifact path must be relative to the artifact root, got ${JSON.stringify(path)}`);
  }
  return p;
}
