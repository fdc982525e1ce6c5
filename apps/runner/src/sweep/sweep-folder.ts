import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { DataError, writeFileAtomic, type ResolvedRunConfig } from '@elbo/core';

/**
 * Where a trial stands. KILLED: stopped by an interrupted sweep (resumable). STOPPED: ended early
 * by the sweep's scheduler at a rung (its run folder keeps its metrics and a resumable checkpoint).
 */
export type TrialStatus = 'PENDING' | 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED' | 'STOPPED';

/** A trial's line in `state.json`. */
export interface TrialRecord {
  readonly index: number;
  readonly hash: string;
  /** The run name the trial's config carries (`<sweep>-<hash>`): how its run folder is found. */
  readonly name: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly status: TrialStatus;
  readonly runDir?: string;
  /** Why it FAILED (or was KILLED). */
  readonly reason?: string;
  /** Commands started for it, across re-runs of the sweep. */
  readonly attempts: number;
  /** Seconds its last command ran. */
  readonly seconds?: number;
  /** With a scheduler: the last rung (epoch) the trial reached; where a STOPPED trial stopped. */
  readonly rung?: number;
}

/** `state.json`: the sweep's bookkeeping, rewritten atomically after every change. */
export interface SweepState {
  readonly version: 1;
  readonly name: string;
  readonly file: string;
  readonly base: string;
  readonly metric: { readonly name: string; readonly goal: string };
  readonly executor: string;
  readonly updatedAt: string;
  /** What each reporter asked to keep across re-runs (an MLflow parent run id…), by reporter name. */
  readonly reporters: Readonly<Record<string, unknown>>;
  readonly trials: readonly TrialRecord[];
}

/** Where a sweep's bookkeeping lives: `<runs>/<experiment>/sweeps/<name>/`. */
export function sweepDir(config: Pick<ResolvedRunConfig, 'runs' | 'experiment'>, name: string): string {
  return resolve(config.runs, config.experiment, 'sweeps', name);
}

/**
 * A sweep folder. It holds what the sweep itself knows — the trial list (`trials.jsonl`), each
 * trial's resolved config (`trials/<hash>.yaml`), the bookkeeping (`state.json`), each trial's
 * output (`logs/<hash>.log`) and the summary (`summary.csv`, `summary.png`); the trials' results
 * are in their own run folders. Only the sweep process writes here, always atomically.
 */
export class SweepFolder {
  private writes: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {}

  get stateFile(): string {
    return join(this.dir, 'state.json');
  }
  get trialsFile(): string {
    return join(this.dir, 'trials.jsonl');
  }
  get csvFile(): string {
    return join(this.dir, 'summary.csv');
  }
  get plotFile(): string {
    return join(this.dir, 'summary.png');
  }
  trialConfigFile(hash: string): string {
    return join(this.dir, 'trials', `${hash}.yaml`);
  }
  logFile(hash: string): string {
    return join(this.dir, 'logs', `${hash}.log`);
  }

  /** The state of an earlier run of this sweep, or undefined. */
  async readState(): Promise<SweepState | undefined> {
    let text: string;
    try {
      text = await readFile(this.stateFile, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    try {
      const s = JSON.parse(text) as SweepState;
      if (s.version !== 1 || !Array.isArray(s.trials)) throw new Error('not a sweep state (version 1)');
      return s;
    } catch (e) {
      throw new DataError(this.stateFile, `${(e as Error).message}; remove the file to start the sweep's bookkeeping afresh (finished run folders are found again)`);
    }
  }

  /** Writes `state.json` atomically; concurrent calls are applied in order. */
  writeState(state: SweepState): Promise<void> {
    const text = `${JSON.stringify(state, null, 1)}\n`;
    const next = this.writes.then(() => writeFileAtomic(this.stateFile, text));
    this.writes = next.catch(() => undefined);
    return next;
  }

  /** `trials.jsonl`: one line per trial — index, hash, run name, swept values, config file. */
  async writeTrialList(trials: readonly Pick<TrialRecord, 'index' | 'hash' | 'name' | 'params'>[]): Promise<void> {
    const lines = trials.map((t) => JSON.stringify({ index: t.index, hash: t.hash, name: t.name, params: t.params, config: `trials/${t.hash}.yaml` }));
    await writeFileAtomic(this.trialsFile, `${lines.join('\n')}\n`);
  }

  /** Writes a trial's resolved config (unless it is already there, unchanged); returns its path. */
  async writeTrialConfig(hash: string, config: ResolvedRunConfig): Promise<string> {
    const file = this.trialConfigFile(hash);
    const text = toYaml(config);
    const old = await readFile(file, 'utf8').catch(() => undefined);
    if (old !== text) await writeFileAtomic(file, text);
    return file;
  }
}
