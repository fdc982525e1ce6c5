import { ConfigError, StderrLogger } from '@elbo/core';
import { Exit } from '../errors.js';
import { interruptSignal } from '../interrupt.js';

export interface WorkerArgs {
  readonly redis?: string;
  readonly queue: string;
  readonly concurrency: number;
  readonly runs: string;
  readonly stalledSeconds: number;
  /** Stops the worker when aborted; without it, Ctrl-C and SIGTERM do. */
  readonly signal?: AbortSignal;
}

/**
 * `elbo worker [--redis URL] [--queue q] [--concurrency n] [--runs dir]`: runs the trials of sweeps
 * whose executor is `bullmq` on this host, until Ctrl-C or SIGTERM (its running trials then end
 * KILLED and go back to the queue, resumable by another worker). Exit 2 when the Redis URL is
 * missing or malformed or the runs folder cannot be written to.
 */
export async function workerCommand(args: WorkerArgs): Promise<number> {
  for (const [flag, v] of [
    ['--concurrency', args.concurrency],
    ['--stalled-seconds', args.stalledSeconds],
  ] as const)
    if (!(Number.isInteger(v) && v > 0)) throw new ConfigError(`${flag} ${v}: expected a positive integer`);
  const logger = new StderrLogger(!!process.env['ELBO_DEBUG']);
  const interrupt = args.signal ? undefined : interruptSignal(logger, 'stopping the running trials; they go back to the queue (Ctrl-C again to quit at once)');
  try {
    // Loaded here, not with the module: other `elbo` commands (each trial too) would load BullMQ and its Redis client otherwise.
    const { runTrialWorker } = await import('../sweep/trial-worker.js');
    await runTrialWorker({ ...args, logger, signal: args.signal ?? interrupt!.signal });
    return Exit.interrupted;
  } finally {
    interrupt?.dispose();
  }
}
