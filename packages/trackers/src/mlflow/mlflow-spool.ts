import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { DataError, writeFileAtomic, type RunStatus } from '@elbo/core';
import { appendDurable } from '../local/durable-files.js';
import type { WireMetric } from './log-batches.js';

/** What the tracker has to tell the server, in the order it happened. */
export type SpoolRecord =
  | { readonly type: 'params'; readonly params: Readonly<Record<string, string>> }
  | { readonly type: 'metrics'; readonly metrics: readonly WireMetric[] }
  | { readonly type: 'tags'; readonly tags: Readonly<Record<string, string>> }
  /** `file` is relative to the run folder when it lies inside it (the folder may move). */
  | { readonly type: 'artifact'; readonly path: string; readonly file: string }
  | { readonly type: 'status'; readonly status: RunStatus; readonly endTime: number }
  | { readonly type: 'register-model'; readonly name: string; readonly path: string };

export type SpoolEvent = SpoolRecord & { readonly seq: number };

/** `mlflow/state.json`: which MLflow run the spool belongs to, and how far the server has it. */
export interface SpoolState {
  readonly format: 'elbo-mlflow/1';
  /** Without credentials. */
  readonly trackingUri: string;
  readonly experimentId: string;
  readonly runId: string;
  readonly artifactUri: string;
  /** `seq` of the last event the server acknowledged (every earlier one too); −1 before the first. */
  readonly acked: number;
}

/** The tracker's files inside a run folder. */
export const MlflowRunFiles = {
  dir: 'mlflow',
  spool: join('mlflow', 'spool.jsonl'),
  state: join('mlflow', 'state.json'),
  lock: join('mlflow', 'sender.lock'),
} as const;

/**
 * The durable spool of one run: every event is appended to `mlflow/spool.jsonl` and fsynced before
 * it is sent; `mlflow/state.json` (replaced atomically) records the MLflow run and the last event the
 * server acknowledged. After a crash or an outage, the events after `acked` are replayed in order.
 * A torn last line (a crash mid-append) is ignored and cut off by the next append. Appends must not
 * overlap (the tracker serialises its calls).
 */
export class MlflowSpool {
  private constructor(
    readonly runDir: string,
    private allEvents: SpoolEvent[],
    private committedBytes: number,
    private current: SpoolState | undefined,
  ) {}

  /** Opens (without creating anything) the spool of `runDir`. */
  static async open(runDir: string): Promise<MlflowSpool> {
    const dir = resolve(runDir);
    const spoolFile = join(dir, MlflowRunFiles.spool);
    const text = await readFile(spoolFile, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? '' : Promise.reject(e)));
    const { events, bytes } = parseSpool(text, spoolFile);
    const stateFile = join(dir, MlflowRunFiles.state);
    const stateText = await readFile(stateFile, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
    let state: SpoolState | undefined;
    if (stateText !== undefined) {
      try {
        state = JSON.parse(stateText) as SpoolState;
      } catch {
        throw new DataError(stateFile, 'not valid JSON');
      }
      if (state.format !== 'elbo-mlflow/1' || typeof state.runId !== 'string' || typeof state.acked !== 'number') {
        throw new DataError(stateFile, 'expected {"format":"elbo-mlflow/1","runId",…,"acked"}');
      }
    }
    return new MlflowSpool(dir, events, bytes, state);
  }

  get state(): SpoolState | undefined {
    return this.current;
  }

  get events(): readonly SpoolEvent[] {
    return this.allEvents;
  }

  /** Events the server has not acknowledged yet, in order. */
  pending(): SpoolEvent[] {
    const acked = this.current?.acked ?? -1;
    return this.allEvents.filter((e) => e.seq > acked);
  }

  /** Appends records durably (fsync) and returns them as events with their sequence numbers. */
  async append(records: readonly SpoolRecord[]): Promise<SpoolEvent[]> {
    if (records.length === 0) return [];
    let seq = this.allEvents.length ? this.allEvents[this.allEvents.length - 1]!.seq + 1 : 0;
    const events = records.map((r) => ({ ...r, seq: seq++ }) as SpoolEvent);
    const data = events.map((e) => `${JSON.stringify(e)}\n`).join('');
    if (this.committedBytes === 0) await mkdir(join(this.runDir, MlflowRunFiles.dir), { recursive: true });
    this.committedBytes = await appendDurable(join(this.runDir, MlflowRunFiles.spool), data, this.committedBytes);
    this.allEvents.push(...events);
    return events;
  }

  /** Records which MLflow run the spool feeds (keeps `acked` unless given). */
  async setState(state: Omit<SpoolState, 'format' | 'acked'> & { acked?: number }): Promise<void> {
    const next: SpoolState = { format: 'elbo-mlflow/1', ...state, acked: state.acked ?? this.current?.acked ?? -1 };
    await writeFileAtomic(join(this.runDir, MlflowRunFiles.state), `${JSON.stringify(next, null, 1)}\n`);
    this.current = next;
  }

  /** Marks every event up to `seq` as acknowledged by the server. */
  async ack(seq: number): Promise<void> {
    if (!this.current) throw new Error('tracker/mlflow: ack before the spool knows its MLflow run');
    if (seq <= this.current.acked) return;
    await this.setState({ ...this.current, acked: seq });
  }

  /** A local file as the spool records it: relative to the run folder when inside it. */
  fileRef(localFile: string): string {
    const abs = resolve(localFile);
    const rel = relative(this.runDir, abs);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
  }

  /** The local path of a recorded file reference. */
  filePath(ref: string): string {
    return isAbsolute(ref) ? ref : join(this.runDir, ref);
  }

  /**
   * Takes the sender lock of this run folder, so that a training process and `elbo sync` never send
   * the same spool at once. A lock left by a dead process (kill -9) is taken over.
   */
  async lock(): Promise<void> {
    const file = join(this.runDir, MlflowRunFiles.lock);
    const me = JSON.stringify({ pid: process.pid, host: hostname() });
    await mkdir(join(this.runDir, MlflowRunFiles.dir), { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await writeFile(file, me, { flag: 'wx' });
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = await readFile(file, 'utf8').then(
        (t) => JSON.parse(t) as { pid?: number; host?: string },
        () => ({}) as { pid?: number; host?: string },
      );
      if (holder.pid !== undefined && holder.pid !== process.pid && holder.host === hostname() && isAlive(holder.pid)) {
        throw new Error(`${this.runDir}: process ${holder.pid} is sending this run to MLflow right now (${MlflowRunFiles.lock}); wait for it to end`);
      }
      await rm(file, { force: true });
    }
    throw new Error(`${this.runDir}: cannot take ${MlflowRunFiles.lock}`);
  }

  async unlock(): Promise<void> {
    await rm(join(this.runDir, MlflowRunFiles.lock), { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Parses spool lines; a torn last line is ignored. Returns the events and the committed length. */
export function parseSpool(text: string, file: string): { events: SpoolEvent[]; bytes: number } {
  const events: SpoolEvent[] = [];
  let bytes = 0;
  let offset = 0;
  let lineNo = 0;
  while (offset < text.length) {
    const nl = text.indexOf('\n', offset);
    lineNo++;
    if (nl < 0) break; // torn last line: no newline
    const line = text.slice(offset, nl);
    offset = nl + 1;
    if (line.trim() !== '') {
      let e: SpoolEvent;
      try {
        e = JSON.parse(line) as SpoolEvent;
      } catch {
        throw new DataError(file, `line ${lineNo}: not JSON`);
      }
      if (typeof e.seq !== 'number' || typeof e.type !== 'string') throw new DataError(file, `line ${lineNo}: expected {"seq","type",…}`);
      events.push(e);
    }
    bytes += Buffer.byteLength(line) + 1;
  }
  return { events, bytes };
}
