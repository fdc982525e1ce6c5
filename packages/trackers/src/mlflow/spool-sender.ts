import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@elbo/core';
import { listFiles } from '../local/durable-files.js';
import type { MlflowClient } from './mlflow-client.js';
import { MlflowApiError, MlflowUnreachableError } from './mlflow-error.js';
import type { CallOptions } from './mlflow-http.js';
import { MlflowRunFiles, type MlflowSpool, type SpoolEvent } from './mlflow-spool.js';
import { toLogBatches, type BatchItem } from './log-batches.js';
import { backoffDelay, type RetryPolicy } from './retry-policy.js';

/** Where the events go: the MLflow run and its artifact root (undefined: artifacts are not logged). */
export interface SendTarget {
  readonly runId: string;
  readonly artifactUri: string;
  readonly artifactRoot: string | undefined;
}

/** A run of consecutive events sent together, and the requests that carry them. */
interface Unit {
  readonly events: readonly SpoolEvent[];
  readonly requests: readonly ((opts: CallOptions) => Promise<void>)[];
  /** Requests already answered (a retry of the unit resumes after them). */
  done: number;
}

/** Transient: the server may accept the same request later. */
export function isTransient(e: unknown): boolean {
  return e instanceof MlflowUnreachableError || (e instanceof MlflowApiError && e.retryable);
}

const LOG_TYPES = new Set(['params', 'metrics', 'tags']);
const ITEMS_PER_UNIT = 1000;

/**
 * Sends spool events to MLflow in order and acknowledges them in the spool's state. Two modes:
 * `runInBackground` (during training: never throws, keeps retrying transient failures with backoff
 * and jitter until stopped, stops at a permanent one) and `sendAll` (elbo sync: retries per the
 * policy, then throws). Consecutive params/metrics/tags events share log-batch requests.
 */
export class SpoolSender {
  private queue: SpoolEvent[] = [];
  private unit: Unit | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private retries = 0;
  private readonly abort = new AbortController();
  /** Set when the server rejected an event for good; sending stops there. */
  halted: Error | undefined;
  /** The current transient failure, while the server is away. */
  outage: Error | undefined;
  lastProgress = Date.now();
  sentEvents = 0;

  constructor(
    private readonly client: MlflowClient,
    private readonly spool: MlflowSpool,
    private readonly target: SendTarget,
    private readonly logger: Logger,
    private readonly backoff: RetryPolicy,
  ) {}

  get pendingCount(): number {
    return this.queue.length;
  }

  enqueue(events: readonly SpoolEvent[]): void {
    this.queue.push(...events);
    this.wake?.();
  }

  /** Ends the current backoff wait at once and restarts the backoff sequence. */
  hurry(): void {
    this.retries = 0;
    this.wake?.();
  }

  runInBackground(): void {
    this.loop ??= this.background();
  }

  /** Stops the background loop and aborts a request in flight; unsent events stay in the spool. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort(new Error('MLflow sender stopped'));
    this.wake?.();
    await this.loop;
  }

  /** Waits until the queue is empty, sending halted, or `idleMs` passed without progress. */
  async drain(idleMs: number): Promise<'done' | 'halted' | 'timeout'> {
    this.lastProgress = Math.max(this.lastProgress, Date.now());
    this.hurry();
    for (;;) {
      if (this.halted) return 'halted';
      if (this.queue.length === 0) return 'done';
      if (Date.now() - this.lastProgress > idleMs) return 'timeout';
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Sends every queued event (elbo sync); transient failures are retried per `policy`, then thrown. */
  async sendAll(policy: RetryPolicy): Promise<void> {
    while (this.queue.length) await this.sendNext({ policy });
  }

  private async background(): Promise<void> {
    while (!this.stopped && !this.halted) {
      if (this.queue.length === 0) {
        await this.sleep(Infinity);
        continue;
      }
      try {
        await this.sendNext({ policy: { ...this.backoff, maxRetries: 0 }, signal: this.abort.signal });
        if (this.outage) this.logger.info(`mlflow: the server is reachable again; sending the ${this.queue.length} events kept meanwhile`);
        this.outage = undefined;
        this.retries = 0;
      } catch (e) {
        if (this.stopped) break;
        if (!isTransient(e)) {
          this.halted = e as Error;
          this.logger.warn(`mlflow: ${(e as Error).message} — sending stopped; the run's remaining events stay in ${join(this.spool.runDir, MlflowRunFiles.spool)}`);
          break;
        }
        if (!this.outage)
          this.logger.warn(
            `mlflow: ${(e as Error).message}; training goes on, events are kept in ${join(this.spool.runDir, MlflowRunFiles.spool)} and sent when the server is back`,
          );
        this.outage = e as Error;
        this.retries += 1;
        await this.sleep(backoffDelay(this.backoff, this.retries, (e as MlflowApiError).retryAfterMs));
      }
    }
  }

  /** Waits `ms` or until woken; the timer never keeps the process alive on its own. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(() => done(), ms).unref() : undefined;
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      this.wake = done;
    });
  }

  /** Sends the next unit (resuming its requests after the answered ones) and acknowledges it. */
  private async sendNext(opts: CallOptions): Promise<void> {
    this.unit ??= await this.nextUnit();
    const unit = this.unit;
    while (unit.done < unit.requests.length) {
      await unit.requests[unit.done]!(opts);
      unit.done += 1;
      this.lastProgress = Date.now();
    }
    await this.spool.ack(unit.events[unit.events.length - 1]!.seq);
    this.queue.splice(0, unit.events.length);
    this.sentEvents += unit.events.length;
    this.unit = undefined;
    this.lastProgress = Date.now();
  }

  private async nextUnit(): Promise<Unit> {
    const head = this.queue[0]!;
    const { runId } = this.target;
    if (LOG_TYPES.has(head.type)) {
      const events: SpoolEvent[] = [];
      const items: BatchItem[] = [];
      for (const e of this.queue) {
        if (!LOG_TYPES.has(e.type) || (events.length > 0 && items.length >= ITEMS_PER_UNIT)) break;
        events.push(e);
        items.push(...itemsOf(e));
      }
      return { events, done: 0, requests: toLogBatches(items).map((b) => (o: CallOptions) => this.client.logBatch(runId, b, o)) };
    }
    const one = (request: (o: CallOptions) => Promise<void>): Unit => ({ events: [head], done: 0, requests: [request] });
    switch (head.type) {
      case 'status':
        return one((o) => this.client.updateRun(runId, head.status, head.endTime, o));
      case 'artifact':
        return { events: [head], done: 0, requests: await this.artifactRequests(head.path, this.spool.filePath(head.file)) };
      case 'register-model':
        return one((o) => this.client.registerModelVersion(head.name, runId, `${this.target.artifactUri.replace(/\/+$/, '')}/${head.path}`, o));
      default:
        return { events: [head], done: 0, requests: [] };
    }
  }

  private async artifactRequests(path: string, file: string): Promise<Unit['requests']> {
    const root = this.target.artifactRoot;
    if (root === undefined) return [];
    const exists = await stat(file).then(
      () => true,
      () => false,
    );
    if (!exists) {
      this.logger.warn(`mlflow: artifact ${path} was not sent: ${file} no longer exists`);
      return [];
    }
    const files = await listFiles(file);
    return files.map((f) => (o: CallOptions) => this.client.uploadArtifact(root, f ? `${path}/${f}` : path, f ? `${file}/${f}` : file, o));
  }
}

function itemsOf(e: SpoolEvent): BatchItem[] {
  switch (e.type) {
    case 'params':
      return Object.entries(e.params).map(([key, value]) => ({ param: { key, value } }));
    case 'tags':
      return Object.entries(e.tags).map(([key, value]) => ({ tag: { key, value } }));
    case 'metrics':
      return e.metrics.map((metric) => ({ metric }));
    default:
      return [];
  }
}
