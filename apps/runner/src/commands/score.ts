import { resolve } from 'node:path';
import { ConfigError, writeFileAtomic } from '@elbo/core';
import { readThreshold, scoreExamples, scoreId, type ScoreKind } from '@elbo/uses';
import { formatCsv } from '@elbo/datasets';
import { labelText, positiveInt, withRunInput, type RunInput, type RunInputArgs } from './run-input.js';
import { sizeOption } from './option-checks.js';

/** The options `elbo score` and `elbo calibrate` share: the rows, the score, its k. */
export interface ScoringArgs extends RunInputArgs {
  readonly score: ScoreKind;
  readonly k: number;
}

/** What a scoring command works with: the open run and input, the score's id, and the scoring itself. */
export interface Scoring extends RunInput {
  /** `neg-elbo`, `iwae-k100`…: the CSV column and the key of a stored threshold. */
  readonly id: string;
  /** Scores the input's rows (`scoreExamples`), with the run's stream `<command>/<id>`. */
  score(): Promise<Float32Array>;
}

/**
 * Checks `--k` (then `--limit`), opens the run and its input (withRunInput) and runs `use`, which
 * scores the rows when it is ready. Each command draws from its own stream, so calibrating and
 * scoring the same rows are each repeatable.
 */
export async function withScoring<T>(command: 'score' | 'calibrate', args: ScoringArgs, use: (s: Scoring) => Promise<T>): Promise<T> {
  positiveInt('--k', args.k);
  const id = scoreId(args.score, args.k);
  return withRunInput(args, ({ run, input, logger }) =>
    use({
      run,
      input,
      logger,
      id,
      score: () => {
        const rows = Math.min(run.config.eval.batchSize, args.limit ?? Infinity, input.split.size);
        if (args.score === 'iwae') sizeOption('--k', `the log-weights of k importance samples for a batch of ${rows} rows`, [args.k, rows]);
        return scoreExamples(run.model, input.split, run.rng.stream(`${command}/${id}`), { score: args.score, k: args.k, limit: args.limit, batchSize: run.config.eval.batchSize });
      },
    }),
  );
}

export interface ScoreArgs extends ScoringArgs {
  readonly out: string;
}

/**
 * `elbo score <run> --input test|folder/|rows.csv --out scores.csv [--score neg-elbo|iwae|recon] [--k 100]`:
 * an anomaly score per row (higher = less like the training data), written as CSV — the row's id,
 * its label when known, the score, and `anomaly` (1/0) when `elbo calibrate` stored a threshold for
 * this score (and k) with the run.
 */
export async function scoreCommand(args: ScoreArgs): Promise<number> {
  if (!args.out.toLowerCase().endsWith('.csv')) throw new ConfigError(`--out ${args.out}: expected a .csv file name`);
  return withScoring('score', args, async ({ run, input, logger, id, score }) => {
    const threshold = await readThreshold(args.runDir, id);
    const t0 = performance.now();
    const scores = await score();
    const labels = input.split.labels;
    const header = [input.idHeader, ...(labels ? ['label'] : []), id, ...(threshold ? ['anomaly'] : [])];
    let flagged = 0;
    const rows = Array.from(scores, (s, i) => {
      const flag = threshold && s > threshold.threshold ? 1 : 0;
      flagged += flag;
      return [input.ids[i]!, ...(labels ? [labelText(run, labels[i])] : []), s, ...(threshold ? [flag] : [])];
    });
    const out = resolve(args.out);
    await writeFileAtomic(out, formatCsv(header, rows));
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    logger.info(`score: ${scores.length} rows of ${input.source}, ${id} mean ${mean.toFixed(3)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    if (threshold)
      logger.info(
        `score: ${flagged} of ${scores.length} above the threshold ${threshold.threshold.toFixed(3)} (calibrated for a false-positive rate of ${threshold.fpr} on ${threshold.input})`,
      );
    else
      logger.info(
        `score: no threshold stored for ${id}; \`elbo calibrate ${args.runDir} --fpr 0.05${args.score === 'neg-elbo' ? '' : ` --score ${args.score}`}${args.score === 'iwae' ? ` --k ${args.k}` : ''}\` adds the anomaly column`,
      );
    process.stdout.write(`${out}\n`);
    return 0;
  });
}
