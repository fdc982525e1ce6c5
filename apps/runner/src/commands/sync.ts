import { ConfigError, StderrLogger, readRunConfig } from '@elbo/core';
import { syncMlflowRun } from '@elbo/trackers';

export interface SyncArgs {
  runDir: string;
  /** Replay every event, not only the unacknowledged ones. */
  full: boolean;
}

/**
 * `elbo sync <run-dir> [--full]`: replays a run's MLflow spool (`<run-dir>/mlflow/spool.jsonl`) to
 * the MLflow run it recorded — what a run that ended while the server was away could not send.
 * Uses the run's saved `tracking.mlflow` options and the MLFLOW_* environment. Prints the run's
 * MLflow URL on stdout.
 */
export async function syncCommand(args: SyncArgs): Promise<number> {
  const logger = new StderrLogger(!!process.env['ELBO_DEBUG']);
  const config = await readRunConfig(args.runDir);
  const tracking = (config['tracking'] ?? {}) as Record<string, unknown>;
  const options = tracking['mlflow'];
  if (options === false) throw new ConfigError(`${args.runDir}: the run has tracking.mlflow: false; nothing to sync`);
  const result = await syncMlflowRun(args.runDir, { options: options ?? {}, full: args.full, logger });
  logger.info(`mlflow: ${result.sent} event${result.sent === 1 ? '' : 's'} sent to run ${result.runId}`);
  process.stdout.write(`${result.url}\n`);
  return 0;
}
