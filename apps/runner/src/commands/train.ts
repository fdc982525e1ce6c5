import { join } from 'node:path';
import { trainRun, StderrLogger, readRunConfig, resolveConfig, ConfigError, RunFiles } from '@elbo/core';
import { loadResolved, setup } from '../setup.js';
import { RungPause } from '../sweep/rung-pause.js';
import { Exit } from '../errors.js';
import { interruptSignal } from '../interrupt.js';
import { multirunSpec } from '../sweep/multirun-spec.js';
import { runSweepSpec } from './sweep.js';

export interface TrainArgs {
  config?: string;
  set: string[];
  resume?: string;
  /** Stop once this epoch has ended (a sweep scheduler's rung): the run ends KILLED, resumable; exit 0. */
  untilEpoch?: number;
  /** With `resume`: from the checkpoint before the last one; the history after it is replaced. */
  fromPrevious?: boolean;
  /** A new run from this run folder's last checkpoint, with its config and `set` (train.epochs, where the run goes). */
  continueFrom?: string;
  /** Every `--set` with a comma list is a grid axis; the trials run as a sweep. */
  multirun?: boolean;
  /** Multirun: trials at a time (the local executor's `workers`). */
  workers?: number;
  /** Multirun: the metric the trials are compared by (default final/neg_elbo) and its goal. */
  metric?: string;
  goal?: 'minimize' | 'maximize';
  /** Stops a multirun when aborted (tests); without it, Ctrl-C and SIGTERM do. */
  signal?: AbortSignal;
}

/**
 * `elbo train <config> --multirun --set a=1,2 [--set b=x,y …] [--workers N]`: the grid of the comma
 * lists, run and summarised by the sweep machinery as `elbo sweep` runs a sweep file.
 */
async function multirun(args: TrainArgs): Promise<number> {
  if (args.resume || args.continueFrom)
    throw new ConfigError('--multirun runs new trials; re-run the same command to continue an interrupted one (--resume and --continue-from are for one run)');
  if (!args.config) throw new ConfigError('train --multirun: give a config file (elbo train examples/mnist-vae.yaml --multirun --set seed=1,2)');
  const { spec, set } = multirunSpec(args.config, args.set, args.metric ? { name: args.metric, goal: args.goal ?? 'minimize' } : undefined);
  return runSweepSpec(spec, { set, dryRun: false, ...(args.workers !== undefined ? { workers: args.workers } : {}), ...(args.signal ? { signal: args.signal } : {}) });
}

/**
 * `elbo train <config> [--set a.b=c …] [--resume <run-dir> [--from-previous]] [--continue-from <run-dir> --set train.epochs=N] [--multirun …]`. Ctrl-C stops at the next step and
 * ends the run KILLED (its last checkpoint stays resumable); a second Ctrl-C exits at once.
 */
export async function train(args: TrainArgs): Promise<number> {
  if (args.multirun) return multirun(args);
  if (args.workers !== undefined || args.metric !== undefined)
    throw new ConfigError('--workers and --metric belong to --multirun (elbo train <config> --multirun --set seed=1,2 --workers 2)');
  const logger = new StderrLogger(!!process.env['ELBO_DEBUG']);
  if (args.untilEpoch !== undefined && !(Number.isInteger(args.untilEpoch) && args.untilEpoch > 0))
    throw new ConfigError(`--until-epoch ${args.untilEpoch}: expected a positive integer`);
  if (args.fromPrevious && !args.resume) throw new ConfigError('--from-previous goes with --resume <run-dir> (elbo train --resume <run-dir> --from-previous)');
  let resolved;
  if (args.continueFrom) {
    if (args.resume || args.config)
      throw new ConfigError('--continue-from starts a new run from that run’s config and last checkpoint; give no config file and no --resume with it');
    const blocked = args.set.find((s) => !CONTINUE_SETTABLE.test(s));
    if (blocked)
      throw new ConfigError(
        `--continue-from ${args.continueFrom} keeps that run’s model, data and optimiser; --set may change train.epochs, runs, experiment, name and tracking (got --set ${blocked})`,
      );
    await readRunConfig(args.continueFrom); // names a missing run folder
    resolved = await loadResolved(join(args.continueFrom, RunFiles.config), args.set);
  } else if (args.resume) {
    if (args.set.length) throw new ConfigError('--resume continues a run with its saved config; --set cannot change it');
    const raw = await readRunConfig(args.resume);
    const plugins = Array.isArray(raw['plugins']) ? (raw['plugins'] as string[]) : [];
    const s = await setup(plugins);
    resolved = { ...s, config: resolveConfig(raw, s.registry, `${args.resume}/config.yaml`) };
  } else {
    if (!args.config) throw new ConfigError('train: give a config file (elbo train examples/mnist-vae.yaml) or --resume <run-dir>');
    resolved = await loadResolved(args.config, args.set);
  }
  const interrupt = interruptSignal(logger, 'stopping after this step (Ctrl-C again to quit at once)');
  const pause = rungPause(args.untilEpoch, resolved.config.train.epochs);
  try {
    const signal = pause ? AbortSignal.any([interrupt.signal, pause.signal]) : interrupt.signal;
    const result = await trainRun({
      ...resolved,
      logger,
      resumeDir: args.resume,
      fromPrevious: args.fromPrevious,
      continueFrom: args.continueFrom,
      signal,
      ...(pause ? { trackers: [pause] } : {}),
    });
    process.stdout.write(`${result.runDir}\n`);
    return Exit.ok;
  } catch (e) {
    if (interrupt.signal.aborted) return Exit.interrupted;
    if (pause?.reached && pause.runDir) {
      logger.info(`stopped after epoch ${pause.untilEpoch} (--until-epoch); continue with elbo train --resume ${pause.runDir}`);
      process.stdout.write(`${pause.runDir}\n`);
      return Exit.ok;
    }
    throw e;
  } finally {
    interrupt.dispose();
  }
}

/** What `--set` may change in a run continued from another: its length, and where and under what name it is recorded. */
const CONTINUE_SETTABLE = /^(train\.epochs|runs|experiment|name|tracking(\.[^=]*)?)=/;

/** The pause at `--until-epoch`, unless the run ends there anyway. */
const rungPause = (until: number | undefined, epochs: number): RungPause | undefined => (until !== undefined && until < epochs ? new RungPause(until) : undefined);
