import { calibrateThreshold, writeThreshold } from '@elbo/uses';
import { ConfigError } from '@elbo/core';
import { withScoring, type ScoringArgs } from './score.js';

export interface CalibrateArgs extends ScoringArgs {
  readonly fpr: number;
}

/**
 * `elbo calibrate <run> --fpr 0.05 [--input test] [--score neg-elbo] [--k 100] [--background <run>]`: scores held-out
 * NORMAL rows and stores the threshold that flags a share `fpr` of them (`calibrateThreshold`) in
 * `<run>/artifacts/threshold.json`, under the score's id; `elbo score` with the same score then
 * adds the anomaly flag. The default input is the run's test split: that is right when the model
 * was trained on normal data only; otherwise give a folder or CSV of known-normal rows.
 */
export async function calibrateCommand(args: CalibrateArgs): Promise<number> {
  if (!(args.fpr > 0 && args.fpr < 1)) throw new ConfigError(`--fpr: expected a false-positive rate between 0 and 1 (exclusive), got ${args.fpr}`);
  return withScoring('calibrate', args, async ({ input, logger, id, score }) => {
    const scores = await score();
    if (scores.length < Math.ceil(1 / args.fpr)) logger.warn(`${scores.length} rows are few for a false-positive rate of ${args.fpr}: the threshold is the maximum score`);
    const c = calibrateThreshold(scores, args.fpr);
    const file = await writeThreshold(args.runDir, { ...c, score: id, input: input.source, calibratedAt: new Date().toISOString() });
    const lines = [
      `score          ${id}`,
      `threshold      ${c.threshold.toFixed(4)}  (flag rows scoring above it)`,
      `false-positive ${c.achievedFpr.toFixed(4)} on ${c.n} rows of ${input.source} (target ${args.fpr}; ± ${Math.sqrt((args.fpr * (1 - args.fpr)) / c.n).toFixed(4)} on new normal rows)`,
      `saved          ${file}`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  });
}
