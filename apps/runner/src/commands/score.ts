import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, openRun, StderrLogger, writeFileAtomic, type DataSplit, type OpenRun } from '@elbo/core';
import { readThreshold, scoreExamples, scoreId, type ScoreKind } from '@elbo/uses';
import { formatCsv, isCsvDataset, readCsvRows, readPngFolder } from '@elbo/datasets';
import { setupForRun } from '../setup.js';

/** Rows a command feeds to a trained model, with a name for each. */
export interface InputRows {
  readonly split: DataSplit;
  /** What `ids` are: split positions, PNG file names or CSV lines. */
  readonly idHeader: 'index' | 'file' | 'line';
  readonly ids: readonly (string | number)[];
  /** The input as the user named it (`test`, a folder, a file). */
  readonly source: string;
  readonly kind: 'split' | 'folder' | 'csv';
}

/**
 * Resolves `--input`: `train` or `test` (the run's own dataset splits), a folder of PNG images (of
 * the run's image shape), or a `.csv` file of feature rows (read by the run's stored columns and
 * standardisation for CSV runs, else as rows of values). Bad input is a ConfigError/DataError
 * naming the file and the expected shape.
 */
export async function openInput(run: OpenRun, input: string): Promise<InputRows> {
  if (input === 'train' || input === 'test') {
    const split = run.dataset[input];
    return { split, idHeader: 'index', ids: Array.from({ length: split.size }, (_, i) => i), source: input, kind: 'split' };
  }
  const st = await stat(input).catch(() => undefined);
  if (st?.isDirectory()) {
    const folder = await readPngFolder(input, run.dataset.shape);
    return { split: folder.split, idHeader: 'file', ids: folder.files, source: input, kind: 'folder' };
  }
  if (input.toLowerCase().endsWith('.csv')) {
    if (!st) throw new ConfigError(`--input ${input}: no such file`);
    const rows = await readCsvRows(input, { dim: run.model.shape.dataDim, shape: run.dataset.shape, features: isCsvDataset(run.dataset) ? run.dataset.features : undefined });
    return { split: rows.split, idHeader: 'line', ids: rows.lines, source: input, kind: 'csv' };
  }
  throw new ConfigError(`--input ${input}: expected "train", "test", a folder of PNG images or a .csv file${st ? '' : ' (no such file or folder)'}`);
}

/** A row's label as the run names it (class names for CSV runs, else the number); '' when unlabelled. */
export function labelText(run: OpenRun, label: number | undefined): string {
  if (label === undefined) return '';
  return isCsvDataset(run.dataset) ? (run.dataset.features.labelNames?.[label] ?? String(label)) : String(label);
}

/** Checks a `--limit` / `--k` style option. */
export function positiveInt(name: string, v: number | undefined): void {
  if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw new ConfigError(`${name}: expected a positive integer, got ${v}`);
}

export interface ScoreArgs {
  runDir: string;
  input: string;
  out: string;
  score: ScoreKind;
  k: number;
  limit?: number;
}

/**
 * `elbo score <run> --input test|folder/|rows.csv --out scores.csv [--score neg-elbo|iwae|recon] [--k 100]`:
 * an anomaly score per row (higher = less like the training data), written as CSV — the row's id,
 * its label when known, the score, and `anomaly` (1/0) when `elbo calibrate` stored a threshold for
 * this score (and k) with the run.
 */
export async function scoreCommand(args: ScoreArgs): Promise<number> {
  if (!args.out.toLowerCase().endsWith('.csv')) throw new ConfigError(`--out ${args.out}: expected a .csv file name`);
  positiveInt('--k', args.k);
  positiveInt('--limit', args.limit);
  const logger = new StderrLogger();
  const run = await openRun(args.runDir, { ...(await setupForRun(args.runDir)), logger });
  try {
    const input = await openInput(run, args.input);
    const id = scoreId(args.score, args.k);
    const threshold = await readThreshold(args.runDir, id);
    const t0 = performance.now();
    const scores = await scoreExamples(run.model, input.split, run.rng.stream(`score/${id}`), { score: args.score, k: args.k, limit: args.limit, batchSize: run.config.eval.batchSize });
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
    if (threshold) logger.info(`score: ${flagged} of ${scores.length} above the threshold ${threshold.threshold.toFixed(3)} (calibrated for a false-positive rate of ${threshold.fpr} on ${threshold.input})`);
    else logger.info(`score: no threshold stored for ${id}; \`elbo calibrate ${args.runDir} --fpr 0.05${args.score === 'neg-elbo' ? '' : ` --score ${args.score}`}${args.score === 'iwae' ? ` --k ${args.k}` : ''}\` adds the anomaly column`);
    process.stdout.write(`${out}\n`);
    return 0;
  } finally {
    run.dispose();
  }
}
