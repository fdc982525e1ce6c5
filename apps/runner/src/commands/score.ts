import { resolve } from 'node:path';
import { ConfigError, openRun, writeFileAtomic, type OpenRun } from '@elbo/core';
import { NEIGHBOUR_SCORES, readThreshold, scoreExamples, scoreId, SCORES_WITH_K, type ScoreKind } from '@elbo/uses';
import { formatCsv } from '@elbo/datasets';
import { labelText, positiveInt, withRunInput, type RunInput, type RunInputArgs } from './run-input.js';
import { sizeOption } from './option-checks.js';
import { setupForRun } from '../setup.js';

/** The options `elbo score` and `elbo calibrate` share: the rows, the score, its k. */
export interface ScoringArgs extends RunInputArgs {
  readonly score: ScoreKind;
  readonly k: number;
  /** `--background <run>`: the background model of `--score likelihood-ratio`. */
  readonly background?: string;
  /** `--neighbours N`: the k-th nearest training code of `--score latent-knn` or `posterior-knn` (default 5). */
  readonly neighbours?: number;
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
  positiveInt('--neighbours', args.neighbours);
  if (args.neighbours !== undefined && !NEIGHBOUR_SCORES.includes(args.score))
    throw new ConfigError(`--neighbours: only used with --score ${NEIGHBOUR_SCORES.join(' or ')} (the score is ${args.score})`);
  const id = scoreId(args.score, args.k, args.neighbours);
  if ((args.score === 'likelihood-ratio') !== (args.background !== undefined))
    throw new ConfigError(
      args.background === undefined
        ? '--score likelihood-ratio: give --background <run-dir>, a run of the same data trained with data.corrupt: { name: salt-and-pepper, fraction: 0.2, target: corrupted }'
        : `--background: only used with --score likelihood-ratio (the score is ${args.score})`,
    );
  let background: OpenRun | undefined;
  return withRunInput(args, async ({ run, input, logger, batches }) => {
    const shape = run.dataset.shape;
    if (args.score === 'complexity' && !(shape.length === 3 && (shape[2] === 1 || shape[2] === 3)))
      throw new ConfigError(`--score complexity: compares with each image's PNG size; this run's data (shape [${shape.join(', ')}]) are not images`);
    if (args.background !== undefined) background = await openRun(args.background, { ...(await setupForRun(args.background)), logger });
    try {
      if (background && background.dataset.shape.join('×') !== shape.join('×'))
        throw new ConfigError(`--background ${args.background}: its data are ${background.dataset.shape.join('×')}, the run's ${shape.join('×')}`);
      return await use({
        run,
        input,
        logger,
        batches,
        id,
        score: () => {
          const rows = Math.min(run.config.eval.batchSize, args.limit ?? Infinity, input.split.size);
          const reference = run.dataset.train;
          if (NEIGHBOUR_SCORES.includes(args.score)) logger.info(`score: ${args.score} compares each row's code with those of the ${reference.size} training rows, encoded first`);
          if (SCORES_WITH_K.includes(args.score)) sizeOption('--k', `the log-weights of k importance samples for a batch of ${rows} rows`, [args.k, rows]);
          return scoreExamples(run.model, input.split, run.rng.stream(`${command}/${id}`), {
            ...batches(command),
            score: args.score,
            k: args.k,
            background: background?.model,
            reference,
            neighbours: args.neighbours,
          });
        },
      });
    } finally {
      background?.dispose();
    }
  });
}

export interface ScoreArgs extends ScoringArgs {
  readonly out: string;
}

/**
 * `elbo score <run> --input test|folder/|rows.csv --out scores.csv [--score neg-elbo|iwae|recon|complexity|likelihood-ratio|latent-knn|posterior-knn] [--k 100] [--background <run>] [--neighbours 5]`:
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
        `score: no threshold stored for ${id}; \`elbo calibrate ${args.runDir} --fpr 0.05${args.score === 'neg-elbo' ? '' : ` --score ${args.score}`}${SCORES_WITH_K.includes(args.score) ? ` --k ${args.k}` : ''}${args.neighbours !== undefined ? ` --neighbours ${args.neighbours}` : ''}${args.background ? ` --background ${args.background}` : ''}\` adds the anomaly column`,
      );
    process.stdout.write(`${out}\n`);
    return 0;
  });
}
