import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, RunFiles, writeFileAtomic, type Dataset } from '@elbo/core';
import type { Standardization } from './standardization.js';

/** File under a run's artifacts folder that fixes how CSV rows become model inputs. */
export const CSV_FEATURES_FILE = 'csv-features.json';

/**
 * How a CSV run reads rows, fixed at training time and stored with the run: which columns are the
 * features (in order), the label column and its class names, and the standardisation fitted on
 * the train split. Scoring new rows applies exactly this.
 */
export interface CsvFeatures {
  readonly columns: readonly string[];
  readonly label?: string;
  /** Class index → the label as written in the file. */
  readonly labelNames?: readonly string[];
  /** Absent when the run does not standardise. */
  readonly standardization?: Standardization;
}

/** A dataset built from CSV rows, with what it takes to read more rows the same way. */
export interface CsvDataset extends Dataset {
  readonly features: CsvFeatures;
}

export function isCsvDataset(d: Dataset): d is CsvDataset {
  const f = (d as Partial<CsvDataset>).features;
  return !!f && Array.isArray(f.columns);
}

export function csvFeaturesPath(runDir: string): string {
  return join(runDir, RunFiles.artifacts, CSV_FEATURES_FILE);
}

/** The features stored with a run, or undefined when it has none yet. */
export async function readCsvFeatures(runDir: string): Promise<CsvFeatures | undefined> {
  const file = csvFeaturesPath(runDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const f = JSON.parse(text) as CsvFeatures;
    if (!Array.isArray(f.columns) || f.columns.length === 0) throw new Error('no "columns" list');
    const s = f.standardization;
    if (s && !(s.mean?.length === f.columns.length && s.std?.length === f.columns.length)) throw new Error('the standardization does not match the columns');
    return f;
  } catch (e) {
    throw new DataError(file, `not a CSV feature description (${(e as Error).message})`);
  }
}

export async function writeCsvFeatures(runDir: string, f: CsvFeatures): Promise<void> {
  await writeFileAtomic(csvFeaturesPath(runDir), JSON.stringify(f, null, 1) + '\n');
}
