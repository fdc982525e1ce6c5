/**
 * What runs the trials of a sweep. A trial is an ordinary `elbo` command (`train <config>` or
 * `train --resume <run-dir>`) that leaves an ordinary run folder; an executor only starts commands
 * and reports how they ended. Expansion, bookkeeping and reporting never depend on which executor
 * ran a trial, and trials share nothing but their run folders, so an executor backed by a job
 * engine on other machines (with the runs folder on shared storage) plugs in as a component of kind
 * `executor` without changes elsewhere.
 */
export interface Executor {
  /** One line for the sweep's header: `local, 2 workers`. */
  readonly description: string;
  /**
   * Runs every job, calling `started` before and `ended` after each; resolves when all have ended.
   * When `signal` aborts, no further job starts and running ones are asked to stop (a trial stopped
   * that way ends KILLED in its run folder, resumable from its last checkpoint) and end with
   * `interrupted: true`.
   */
  run(jobs: readonly TrialJob[], hooks: ExecutorHooks, signal?: AbortSignal): Promise<void>;
}

/** One trial to run. */
export interface TrialJob {
  /** The trial's hash. */
  readonly id: string;
  /**
   * Names this command among all commands of all sweeps: the trial's run name `<sweep>-<hash>`, and
   * the rung's epoch when a scheduler takes the trial rung by rung (`<sweep>-<hash>-e2`); default:
   * `id`. An engine-backed executor keys its jobs by it, so a re-run of the sweep finds them again.
   */
  readonly key?: string;
  /** Arguments of the `elbo` command: `['train', 'trials/<hash>.yaml']` or `['train', '--resume', '<run-dir>']`. */
  readonly args: readonly string[];
  /** Working folder the command runs in (relative `runs:` folders are resolved against it). */
  readonly cwd: string;
  /** File the command's output is appended to. */
  readonly logFile: string;
  /** Stop the trial after this long; it then ends with `timedOut: true`. */
  readonly timeoutMs?: number;
}

/** How a trial's command ended. */
export interface TrialExit {
  /** Exit status, or null when ended by a signal (or never started). */
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  /** Stopped because the sweep was interrupted. */
  readonly interrupted: boolean;
  /** Everything the command printed on stdout (`elbo train` prints the run folder). */
  readonly stdout: string;
  /** The end of what it printed on stderr (its `error: …` line, if any). */
  readonly stderrTail: string;
  readonly seconds: number;
}

export interface ExecutorHooks {
  started(job: TrialJob): void | Promise<void>;
  ended(job: TrialJob, exit: TrialExit): void | Promise<void>;
}
