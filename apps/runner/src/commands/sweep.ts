import { createHash } from 'node:crypto';
import { basename, extname } from 'node:path';
import { ConfigError, createContainer, loadPlugins, ParameterStore, Rng, StderrLogger, type Logger } from '@elbo/core';
import { Exit } from '../errors.js';
import { interruptSignal } from '../interrupt.js';
import { firstPartyModules } from '../first-party.js';
import type { Executor } from '../sweep/executor.js';
import { checkAsha } from '../sweep/asha.js';
import { describeParams, expandTrials, shortLabels, formatValue } from '../sweep/expand-trials.js';
import { resolveTrials, type ResolvedTrial } from '../sweep/resolve-trials.js';
import { planSweep, runSweep, type SweepRun } from '../sweep/run-sweep.js';
import { SweepFolder, sweepDir } from '../sweep/sweep-folder.js';
import { FolderReporter } from '../sweep/folder-reporter.js';
import { MlflowSweepReporter } from '../sweep/mlflow-sweep-reporter.js';
import type { SweepReporter } from '../sweep/sweep-reporter.js';
import { readSweepFile, type SweepSpec } from '../sweep/sweep-spec.js';
import { alignTable } from '../sweep/sweep-summary.js';
import type { NamedTrial } from '../sweep/trial-status.js';

export interface SweepArgs {
  readonly file: string;
  /** Overrides the executor's `workers` option. */
  readonly workers?: number;
  readonly dryRun: boolean;
  readonly set: readonly string[];
  /** Stops the sweep when aborted; without it, Ctrl-C and SIGTERM do. */
  readonly signal?: AbortSignal;
}

/** The executor the sweep file names, built from the runner's components and the sweep's plugins. */
async function createExecutor(spec: SweepSpec, workers: number | undefined, logger: Logger): Promise<Executor> {
  const { container, registry } = createContainer([...firstPartyModules, ...(await loadPlugins(spec.plugins))]);
  if (workers !== undefined && !(Number.isInteger(workers) && workers > 0)) throw new ConfigError(`--workers ${workers}: expected a positive integer`);
  const section = workers === undefined ? spec.executor : { ...(typeof spec.executor === 'string' ? { name: spec.executor } : spec.executor), workers };
  const r = registry.check('executor', section, 'executor');
  if (!r.ok) throw ConfigError.of(r.problems.map((p) => `${spec.file}: ${p}`));
  return registry.create<Executor>(r.value, { container, rng: new Rng(0), logger, params: new ParameterStore('executor') });
}

/** Awaits both checks; the problems of both are reported together in one ConfigError. */
async function checkedTogether<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  const problems: string[] = [];
  for (const r of [ra, rb]) {
    if (r.status === 'fulfilled') continue;
    if (!(r.reason instanceof ConfigError)) throw r.reason;
    problems.push(...r.reason.problems);
  }
  if (problems.length) throw ConfigError.of(problems);
  return [(ra as PromiseFulfilledResult<A>).value, (rb as PromiseFulfilledResult<B>).value];
}

/** Swept paths shown on a log axis: loguniform draws, and positive numeric grids spanning two decades or more. */
function logScaleKeys(spec: SweepSpec): string[] {
  const wide = (vs: readonly unknown[]) => vs.every((v) => typeof v === 'number' && v > 0) && Math.max(...(vs as number[])) / Math.min(...(vs as number[])) >= 100;
  return [...spec.grid.filter((g) => wide(g.values!)).map((g) => g.key), ...(spec.random?.space ?? []).filter((s) => s.distribution!.logScale).map((s) => s.key)];
}

/** `<sweep file name>-<8 hex digits of its trials' hashes>`: the same sweep gets the same folder. */
function defaultName(file: string, trials: readonly ResolvedTrial[]): string {
  const stem = basename(file, extname(file)).replace(/[^A-Za-z0-9._-]/g, '_');
  return `${stem}-${createHash('sha256')
    .update(trials.map((t) => t.hash).join(','))
    .digest('hex')
    .slice(0, 8)}`;
}

/**
 * `elbo sweep <sweep.yaml> [--workers N] [--dry-run] [--set a.b=c …]`: expands the sweep file into
 * trials, checks every trial's config, then runs them (or, with --dry-run, lists them and what a run
 * would do with each). Exit status 0 when every trial FINISHED, 1 when some FAILED (the summary is
 * written all the same), 2 for a bad sweep file or config, 130 when interrupted.
 */
export async function sweepCommand(args: SweepArgs): Promise<number> {
  return runSweepSpec(await readSweepFile(args.file), args);
}

/**
 * Runs a checked sweep spec — from a sweep file, or built from `elbo train --multirun`'s comma
 * lists — with the same trials, executor, bookkeeping, summary and exit statuses as `elbo sweep`.
 */
export async function runSweepSpec(spec: SweepSpec, args: Omit<SweepArgs, 'file'>): Promise<number> {
  const logger = new StderrLogger(!!process.env['ELBO_DEBUG']);
  const [{ trials: resolved, duplicates }, executor] = await checkedTogether(resolveTrials(spec, expandTrials(spec), args.set), createExecutor(spec, args.workers, logger));
  const name = spec.name ?? defaultName(spec.file, resolved);
  const trials: NamedTrial[] = resolved.map((t) => ({
    index: t.index,
    hash: t.hash,
    params: t.params,
    name: `${name}-${t.hash}`,
    config: { ...t.config, name: `${name}-${t.hash}` },
  }));
  const folder = new SweepFolder(sweepDir(trials[0]!.config, name));
  const keys = [...spec.grid, ...(spec.random?.space ?? [])].map((s) => s.key);
  const run: SweepRun = {
    name,
    file: spec.file,
    base: spec.base,
    metric: spec.metric,
    keys,
    logKeys: logScaleKeys(spec),
    trials,
    folder,
    ...(spec.timeout !== undefined ? { timeout: spec.timeout } : {}),
    ...(spec.scheduler
      ? {
          scheduler: checkAsha(
            spec.file,
            spec.scheduler,
            spec.metric.goal,
            spec.metric.name,
            trials.map((t) => t.config),
          ),
        }
      : {}),
  };
  if (duplicates) logger.info(`${duplicates} drawn trial${duplicates === 1 ? ' repeats' : 's repeat'} another trial's config and ${duplicates === 1 ? 'is' : 'are'} run once`);

  if (args.dryRun) {
    const { plans } = await planSweep(run);
    const labels = shortLabels(keys);
    const what = { skip: 'finished', resume: 'resume', run: 'run' } as const;
    const rows = [
      ['trial', 'hash', ...keys.map((k) => labels[k]!), 'plan'],
      ...trials.map((t) => [String(t.index + 1), t.hash, ...keys.map((k) => formatValue(t.params[k])), what[plans.get(t.hash)!.action]]),
    ];
    process.stdout.write(alignTable(rows));
    logger.info(`dry run: ${trials.length} trials, all valid; sweep folder ${folder.dir}; executor ${executor.description}; nothing was run or written`);
    return Exit.ok;
  }
  // tracking.mlflow on: the sweep is one MLflow parent run, each trial a nested run of it.
  const base = trials[0]!.config;
  const reporters: SweepReporter[] = [new FolderReporter(folder)];
  if (base.tracking['mlflow']) reporters.push(new MlflowSweepReporter(base.tracking['mlflow'], base.experiment, folder, logger));
  // Ctrl-C / SIGTERM stop the sweep (running trials keep their checkpoints); a second one quits at once.
  const interrupt = args.signal
    ? undefined
    : interruptSignal(logger, 'stopping the running trials at their next step (re-run the same command to continue; Ctrl-C again to quit at once)');
  try {
    const result = await runSweep(run, { executor, reporters, logger, signal: args.signal ?? interrupt!.signal });
    const failed = result.records.filter((r) => r.status === 'FAILED');
    const listed = failed.slice(0, 10).map((r) => `${r.index + 1} (${describeParams(r.params)})`);
    if (failed.length)
      logger.info(
        `${failed.length} of ${trials.length} trials failed: ${listed.join(', ')}${failed.length > 10 ? ', …' : ''} (reasons in the table; output in ${folder.dir}/logs/)`,
      );
    if (result.outcome === 'KILLED') return Exit.interrupted;
    return result.outcome === 'FINISHED' ? Exit.ok : Exit.failed;
  } finally {
    interrupt?.dispose();
  }
}
