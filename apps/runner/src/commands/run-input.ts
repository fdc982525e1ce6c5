import { stat } from 'node:fs/promises';
import { ConfigError, openRun, progressLog, StderrLogger, type DataSplit, type Logger, type OpenRun } from '@elbo/core';
import type { BatchOptions } from '@elbo/uses';
import { isCsvDataset, readCsvRows, readPngFolder } from '@elbo/datasets';
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

/** The options of the commands that feed rows to a trained run. */
export interface RunInputArgs {
  readonly runDir: string;
  readonly input: string;
  readonly limit?: number;
}

/** A trained run opened for a command, the rows of its `--input`, and where the command logs. */
export interface RunInput {
  readonly run: OpenRun;
  readonly input: InputRows;
  readonly logger: Logger;
  /** How a command walks the rows: `--limit`, the run's `eval.batchSize`, and a progress line on stderr at most every 2 s. */
  batches(command: string): BatchOptions;
}

/**
 * Checks `--limit`, opens the trained run (set up as it was trained, logging to stderr), resolves
 * `--input` against it and runs `use`; the run is disposed however `use` ends. `checkRun`, when
 * given, looks at the open run before the input is read (what the run's data allow).
 */
export async function withRunInput<T>(args: RunInputArgs, use: (r: RunInput) => Promise<T>, checkRun?: (run: OpenRun) => void): Promise<T> {
  positiveInt('--limit', args.limit);
  const logger = new StderrLogger();
  const run = await openRun(args.runDir, { ...(await setupForRun(args.runDir)), logger });
  try {
    checkRun?.(run);
    const input = await openInput(run, args.input);
    const batches = (command: string) => ({ limit: args.limit, batchSize: run.config.eval.batchSize, onProgress: progressLog(logger, command, `rows of ${input.source}`) });
    return await use({ run, input, logger, batches });
  } finally {
    run.dispose();
  }
}
