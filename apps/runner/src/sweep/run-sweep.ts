import { applyOverride, type Logger } from '@elbo/core';
import { epochReached, metricAt, promote, stageArgs, type Asha } from './asha.js';
import { describeParams } from './expand-trials.js';
import type { Executor, ExecutorHooks, TrialJob } from './executor.js';
import { RunLocator } from './run-locator.js';
import type { SweepFolder, SweepState, TrialRecord } from './sweep-folder.js';
import type { SweepInfo, SweepOutcome, SweepReporter } from './sweep-reporter.js';
import { summarize, formatMetric, type SweepMetric, type SweepSummary } from './sweep-summary.js';
import { finalMetric, planTrial, recordExit, statusOf, type NamedTrial, type TrialPlan } from './trial-status.js';

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
  /** Early stopping at rungs (ASHA); without it every trial trains to the end. */
  readonly scheduler?: Asha;
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
  const tag = (r: TrialRecord) => `[${r.index + 1}/${n}] ${r.hash} ${describeParams(r.params)}`;
  /** With a scheduler: the epoch each trial's current command trains it to (below the end: a rung). */
  const targets = new Map<string, number>();
  const hooks: ExecutorHooks = {
    started: async (job) => {
      const i = position.get(job.id)!;
      records[i] = { ...records[i]!, status: 'RUNNING', attempts: records[i]!.attempts + 1 };
      await save();
      const resumed = job.args[1] === '--resume' ? job.args[2] : undefined;
      const until = targets.get(job.id);
      logger.info(`${tag(records[i]!)}: ${resumed ? `resuming ${resumed}` : 'started'}${until !== undefined && until < run.scheduler!.epochs ? ` (to rung ${until})` : ''}`);
    },
    ended: async (job, exit) => {
      const i = position.get(job.id)!;
      const resumed = job.args[1] === '--resume' ? job.args[2] : undefined;
      const until = targets.get(job.id);
      const printed = exit.stdout.trim().split('\n').pop()?.trim();
      if (run.scheduler && until !== undefined && until < run.scheduler.epochs && exit.exitCode === 0 && !exit.interrupted && epochReached(printed) >= until) {
        records[i] = { ...records[i]!, status: 'RUNNING', runDir: printed!, rung: until, seconds: Math.round(exit.seconds * 10) / 10 };
        await save();
        logger.info(
          `${tag(records[i]!)}: reached rung ${until} after ${exit.seconds.toFixed(1)} s, ${run.scheduler.metric.name} ${formatMetric(metricAt(printed!, run.scheduler.metric.name, until))}`,
        );
        return;
      }
      const r = await recordExit(byHash.get(job.id)!, records[i]!, exit, locator, run.timeout, resumed);
      records[i] = r;
      await save();
      const value = r.status === 'FINISHED' && r.runDir ? finalMetric(r.runDir, run.metric.name) : undefined;
      const detail = r.status === 'FINISHED' ? `, ${run.metric.name} ${formatMetric(value)}` : `: ${r.reason}`;
      logger.info(`${tag(r)}: ${r.status} after ${exit.seconds.toFixed(1)} s${detail}`);
      for (const rep of opts.reporters) await rep.trialEnded?.(r);
    },
  };
  // A job's key is the trial's run name, `<sweep>-<hash>` (and the rung's epoch): the same trial in
  // two sweeps that share a queue is two jobs, each writing the run folder of its own sweep.
  const job = (r: TrialRecord, args: string[], rung?: number): TrialJob => ({
    id: r.hash,
    key: rung === undefined ? r.name : `${r.name}-e${rung}`,
    args,
    cwd,
    logFile: folder.logFile(r.hash),
    ...(run.timeout !== undefined ? { timeoutMs: run.timeout * 1000 } : {}),
  });
  if (!run.scheduler) {
    const jobs = records
      .filter((r) => plans.get(r.hash)!.action !== 'skip')
      .map((r) => {
        const plan = plans.get(r.hash)!;
        return job(r, plan.action === 'resume' ? ['train', '--resume', plan.runDir!] : ['train', configFiles.get(r.hash)!]);
      });
    await opts.executor.run(jobs, hooks, opts.signal);
  } else {
    const asha = run.scheduler;
    let alive = records.map((r) => r.hash);
    for (const target of [...asha.rungs, asha.epochs]) {
      if (opts.signal?.aborted) break;
      const jobs: TrialJob[] = [];
      for (const hash of alive) {
        const r = records[position.get(hash)!]!;
        const dir = r.runDir ?? plans.get(hash)!.runDir;
        if (dir && statusOf(dir)?.status === 'FINISHED') continue;
        if (target < asha.epochs && epochReached(dir) >= target) {
          records[position.get(hash)!] = { ...r, status: 'RUNNING', runDir: dir!, rung: target };
          continue;
        }
        targets.set(hash, target);
        jobs.push(job(r, await stageArgs(configFiles.get(hash)!, dir, target, asha.epochs), target < asha.epochs ? target : undefined));
      }
      await opts.executor.run(jobs, hooks, opts.signal);
      if (opts.signal?.aborted || target === asha.epochs) break;
      // Successive halving: of the trials at this rung, the best 1/eta go on; the others stop here.
      // A trial FINISHED by an earlier run of the sweep passed every rung; it is compared again, so the decisions stay the same.
      const at = alive.map((hash) => records[position.get(hash)!]!).filter((r) => r.runDir && (r.status === 'FINISHED' || (r.status === 'RUNNING' && r.rung === target)));
      const entries = at.map((r) => ({ hash: r.hash, index: r.index, value: metricAt(r.runDir!, asha.metric.name, target) }));
      const keep = promote(entries, asha.eta, asha.metric.goal);
      for (const e of entries.filter((e) => !keep.has(e.hash))) {
        const i = position.get(e.hash)!;
        const reason = `stopped at rung ${target}: ${asha.metric.name} ${formatMetric(e.value)} is not among the best ${keep.size} of ${entries.length} (eta ${asha.eta})`;
        records[i] = { ...records[i]!, status: 'STOPPED', reason };
        logger.info(`${tag(records[i]!)}: STOPPED — ${reason}`);
        for (const rep of opts.reporters) await rep.trialEnded?.(records[i]!);
      }
      await save();
      alive = [...keep];
    }
  }
  const outcome: SweepOutcome = opts.signal?.aborted ? 'KILLED' : records.every((r) => r.status === 'FINISHED' || r.status === 'STOPPED') ? 'FINISHED' : 'FAILED';
  const summary = summarize(run.name, run.metric, run.keys, run.logKeys, records);
  for (const rep of opts.reporters) await rep.end(summary, outcome);
  return { outcome, records, summary };
}
