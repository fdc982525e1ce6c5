import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RunFiles, type ResolvedRunConfig } from '@elbo/core';
import { readMetrics, readStatus, type RunStatusRecord } from '@elbo/trackers';
import type { TrialExit } from './executor.js';
import type { RunLocator } from './run-locator.js';
import type { TrialRecord } from './sweep-folder.js';

/** A trial with its resolved config and run name, ready to run. */
export interface NamedTrial {
  readonly index: number;
  readonly hash: string;
  readonly name: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly config: ResolvedRunConfig;
}

/** What a (re-)run of the sweep does with a trial. */
export interface TrialPlan {
  /** skip: FINISHED before; resume: continue its run folder from the last checkpoint; run: a new run. */
  readonly action: 'skip' | 'resume' | 'run';
  readonly runDir?: string;
}

/** The folder a trial's run folders are created in. */
export const runsRoot = (config: Pick<ResolvedRunConfig, 'runs' | 'experiment'>): string => resolve(config.runs, config.experiment);

/** A run folder's status.json, or undefined when it has none or it cannot be read. */
export function statusOf(runDir: string): RunStatusRecord | undefined {
  try {
    return readStatus(runDir);
  } catch {
    return undefined;
  }
}

/**
 * The final value of `key` in a run's metric history: its last value — except that a held-out
 * `test/<name>` reads the final evaluation's `final/<name>` when the run recorded one, since the
 * last epoch's `test/<name>` is a different estimate at the same step. So `metric: test/neg_elbo`
 * and `metric: final/neg_elbo` rank trials alike, as does a run written before `final/…` existed.
 */
export function finalMetric(runDir: string, key: string): number | undefined {
  const finalKey = key.startsWith('test/') ? `final/${key.slice('test/'.length)}` : key;
  let value: number | undefined;
  let final: number | undefined;
  try {
    for (const p of readMetrics(runDir)) {
      if (p.key === key) value = p.value;
      if (p.key === finalKey) final = p.value;
    }
  } catch {
    return undefined;
  }
  return final ?? value;
}

/** The trial's latest run folder: the one the sweep recorded, else found by its run name. */
async function latestRunDir(trial: NamedTrial, record: TrialRecord | undefined, locator: RunLocator): Promise<string | undefined> {
  if (record?.runDir && existsSync(join(record.runDir, RunFiles.config))) return record.runDir;
  return locator.find(runsRoot(trial.config), trial.name);
}

/**
 * Whether a trial's run folder was interrupted and carries on in place with `elbo train --resume`:
 * KILLED (Ctrl-C, a time limit), still RUNNING (its process was killed), or without a status (killed
 * before its trackers started). It continues from its checkpoint, or from the start in the same
 * folder when it was stopped before its first one — so a trial keeps one run folder, and one MLflow
 * run, however early its process died.
 */
export function interrupted(runDir: string): boolean {
  const status = statusOf(runDir)?.status;
  return status === undefined || status === 'KILLED' || status === 'RUNNING';
}

/**
 * Decides from the trial's run folder — the truth, whatever the sweep's state says — what a run of
 * the sweep does: a FINISHED run is kept; an interrupted one (see `interrupted`) continues in its
 * folder with `elbo train --resume`; a FAILED one (crashed, diverged) runs again from the start in a
 * new run folder.
 */
export async function planTrial(trial: NamedTrial, record: TrialRecord | undefined, locator: RunLocator): Promise<TrialPlan> {
  const runDir = await latestRunDir(trial, record, locator);
  if (!runDir) return { action: 'run' };
  if (statusOf(runDir)?.status === 'FINISHED') return { action: 'skip', runDir };
  if (interrupted(runDir)) return { action: 'resume', runDir };
  return { action: 'run' };
}

/** The last `error: …` line a command printed, without the prefix. */
function errorLine(stderr: string): string | undefined {
  const lines = stderr.split('\n').filter((l) => l.startsWith('error: '));
  return lines.length ? lines[lines.length - 1]!.slice('error: '.length) : undefined;
}

/**
 * How a trial ended, from its command's exit and its run folder: FINISHED only when the command
 * succeeded and the run folder says so; KILLED when the sweep was interrupted; otherwise FAILED
 * with the reason — the time limit, the error the run recorded (a divergence, a crash), the
 * command's last error line, or its exit status.
 */
export async function recordExit(trial: NamedTrial, record: TrialRecord, exit: TrialExit, locator: RunLocator, timeoutSeconds?: number, resumedDir?: string): Promise<TrialRecord> {
  const printed = exit.stdout.trim().split('\n').pop()?.trim();
  const runDir = exit.exitCode === 0 && printed && existsSync(join(printed, RunFiles.config)) ? printed : (resumedDir ?? (await locator.find(runsRoot(trial.config), trial.name)));
  const run = runDir ? statusOf(runDir) : undefined;
  const base = { ...record, seconds: Math.round(exit.seconds * 10) / 10, ...(runDir ? { runDir } : {}) };
  delete (base as { reason?: string }).reason;
  if (exit.exitCode === 0 && run?.status === 'FINISHED') return { ...base, status: 'FINISHED' };
  if (exit.timedOut)
    return { ...base, status: 'FAILED', reason: `exceeded the time limit of ${timeoutSeconds} s${runDir ? ' (a re-run resumes it from its last checkpoint)' : ''}` };
  if (exit.interrupted) return { ...base, status: 'KILLED', reason: 'the sweep was interrupted' };
  if (exit.exitCode === 0) return { ...base, status: 'FAILED', reason: `the run ended without recording FINISHED in ${runDir ?? 'a run folder'}` };
  const how = exit.exitCode !== null ? `exit status ${exit.exitCode}` : exit.signal ? `ended by ${exit.signal}` : 'did not start';
  return { ...base, status: 'FAILED', reason: (run?.status === 'FAILED' ? run.error : undefined) ?? errorLine(exit.stderrTail) ?? how };
}
