import { applyOverride, type Logger } from '@elbo/core';
import { describeParams } from './expand-trials.js';
import type { Executor, TrialJob } from './executor.js';
import { RunLocator } from './run-locator.js';
import type { SweepFolder, SweepState, TrialRecord } from './sweep-folder.js';
import type { SweepInfo, SweepOutcome, SweepReporter } from './sweep-reporter.js';
import { summarize, formatMetric, type SweepMetric, type SweepSummary } from './sweep-summary.js';
import { finalMetric, planTrial, recordExit, type NamedTrial, type TrialPlan } from './trial-status.js';

export interface SweepRun {
  readonly name: string;
  readonly file: string;
  readonly base: string;
  readonly metric: SweepMetric;
  /** Swept config paths (table columns, plot panels) and those plotted on a log axis. */
  readonly keys: readonly string[];
  readonly logKeys: readonly string[];
  readonly trials: readonly NamedTrial[];
  readonly folder: SweepFolder;
  /** Seconds a trial may run. */
  readonly timeout?: number;
}

export interface PlannedSweep {
  readonly previous?: SweepState;
  readonly records: TrialRecord[];
  readonly plans: ReadonlyMap<string, TrialPlan>;
}

/** Reads the sweep's earlier state and each trial's run folder; decides what to do with each trial. Writes nothing. */
export async function planSweep(run: SweepRun, locator = new RunLocator()): Promise<PlannedSweep> {
  const previous = await run.folder.readState();
  const before = new Map((previous?.trials ?? []).map((t) => [t.hash, t]));
  const records: TrialRecord[] = [];
  const plans = new Map<string, TrialPlan>();
  for (const t of run.trials) {
    const old = before.get(t.hash);
    const plan = await planTrial(t, old, locator);
    plans.set(t.hash, plan);
    const { index: _i, name: _n, params: _p, ...kept } = old ?? { status: 'PENDING' as const, attempts: 0 };
    const base: TrialRecord = { index: t.index, hash: t.hash, name: t.name, params: t.params, ...kept };
    records.push(plan.action === 'skip' ? { ...base, status: 'FINISHED', runDir: plan.runDir! } : base);
  }
  return { ...(previous ? { previous } : {}), records, plans };
}

export interface RunSweepOptions {
  readonly executor: Executor;
  readonly reporters: readonly SweepReporter[];
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  /** Working folder of the trials (default: this process's). */
  readonly cwd?: string;
}

export interface SweepResult {
  readonly outcome: SweepOutcome;
  readonly records: readonly TrialRecord[];
  readonly summary: SweepSummary;
}

/**
 * Runs a sweep, or continues an earlier run of it: writes each trial's config and the trial list,
 * skips FINISHED trials, resumes interrupted ones, runs the rest through the executor while keeping
 * `state.json` up to date after every start and end, and hands the summary to every reporter. A
 * trial that fails is recorded with its reason; the others go on.
 */
export async function runSweep(run: SweepRun, opts: RunSweepOptions): Promise<SweepResult> {
  const { folder, trials } = run;
  const { logger } = opts;
  const locator = new RunLocator();
  const { previous, records, plans } = await planSweep(run, locator);
  const position = new Map(records.map((r, i) => [r.hash, i]));
  const byHash = new Map(trials.map((t) => [t.hash, t]));
  const info: SweepInfo = { name: run.name, dir: folder.dir, file: run.file, metric: run.metric, trials: records };
  const saved: Record<string, unknown> = { ...(previous?.reporters ?? {}) };
  const settings: Record<string, unknown> = {};
  for (const r of opts.reporters) {
    const start = await r.begin?.(info, saved[r.name]);
    if (start?.trialSettings) Object.assign(settings, start.trialSettings);
    if (start && 'save' in start) saved[r.name] = start.save;
  }
  const configFiles = new Map<string, string>();
  for (const t of trials) {
    const config = structuredClone(t.config) as unknown as Record<string, unknown>;
    for (const [path, value] of Object.entries(settings)) applyOverride(config, `${path}=${JSON.stringify(value)}`);
    configFiles.set(t.hash, await folder.writeTrialConfig(t.hash, config as unknown as NamedTrial['config']));
  }
  await folder.writeTrialList(records);
  const save = () =>
    folder.writeState({
      version: 1,
      name: run.name,
      file: run.file,
      base: run.base,
      metric: run.metric,
      executor: opts.executor.description,
      updatedAt: new Date().toISOString(),
      reporters: saved,
      trials: records,
    });
  await save();

  const n = trials.length;
  const count = (a: TrialPlan['action']) => [...plans.values()].filter((p) => p.action === a).length;
  logger.info(
    `sweep ${run.name}: ${n} trial${n === 1 ? '' : 's'} — ${count('skip')} finished before, ${count('resume')} to resume, ${count('run')} to run — executor ${opts.executor.description}; folder ${folder.dir}`,
  );
  const cwd = opts.cwd ?? process.cwd();
  const jobs: TrialJob[] = records
    .filter((r) => plans.get(r.hash)!.action !== 'skip')
    .map((r) => {
      const plan = plans.get(r.hash)!;
      return {
        id: r.hash,
        args: plan.action === 'resume' ? ['train', '--resume', plan.runDir!] : ['train', configFiles.get(r.hash)!],
        cwd,
        logFile: folder.logFile(r.hash),
        ...(run.timeout !== undefined ? { timeoutMs: run.timeout * 1000 } : {}),
      };
    });
  const tag = (r: TrialRecord) => `[${r.index + 1}/${n}] ${r.hash} ${describeParams(r.params)}`;
  await opts.executor.run(
    jobs,
    {
      started: async (job) => {
        const i = position.get(job.id)!;
        const plan = plans.get(job.id)!;
        records[i] = { ...records[i]!, status: 'RUNNING', attempts: records[i]!.attempts + 1 };
        await save();
        logger.info(`${tag(records[i]!)}: ${plan.action === 'resume' ? `resuming ${plan.runDir}` : 'started'}`);
      },
      ended: async (job, exit) => {
        const i = position.get(job.id)!;
        const plan = plans.get(job.id)!;
        const r = await recordExit(byHash.get(job.id)!, records[i]!, exit, locator, run.timeout, plan.action === 'resume' ? plan.runDir : undefined);
        records[i] = r;
        await save();
        const value = r.status === 'FINISHED' && r.runDir ? finalMetric(r.runDir, run.metric.name) : undefined;
        const detail = r.status === 'FINISHED' ? `, ${run.metric.name} ${formatMetric(value)}` : `: ${r.reason}`;
        logger.info(`${tag(r)}: ${r.status} after ${exit.seconds.toFixed(1)} s${detail}`);
        for (const rep of opts.reporters) await rep.trialEnded?.(r);
      },
    },
    opts.signal,
  );
  const outcome: SweepOutcome = opts.signal?.aborted ? 'KILLED' : records.every((r) => r.status === 'FINISHED') ? 'FINISHED' : 'FAILED';
  const summary = summarize(run.name, run.metric, run.keys, run.logKeys, records);
  for (const rep of opts.reporters) await rep.end(summary, outcome);
  return { outcome, records, summary };
}
