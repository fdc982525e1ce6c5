import { DataError } from '@elbo/core';
import { InMemorySplit } from '../data/in-memory-split.js';
import type { CsvFeatures } from './csv-features.js';
import { labelIndices } from './csv-labels.js';
import { columnIndices, numericColumns, readCsvTable } from './read-csv-table.js';
import { applyStandardization } from './standardization.js';

/** Rows of a CSV file ready for a trained model, and the line each came from. */
export interface CsvRows {
  readonly split: InMemorySplit;
  /** The 1-based line of each row in the file. */
  readonly lines: readonly number[];
}

/** What the rows must become: the model's input width, and for CSV runs how the run read its rows. */
export interface CsvRowsTarget {
  /** Values per row the model takes. */
  readonly dim: number;
  /** The run's data shape, for messages (`[28, 28, 1]`). */
  readonly shape: readonly number[];
  /** For runs trained on `dataset/csv`: the stored columns, labels and standardisation. */
  readonly features?: CsvFeatures;
  readonly delimiter?: string;
}

/**
 * Reads feature rows for a trained model from a CSV file.
 *
 * - A run trained on CSV (`target.features`): the file needs a header with the run's feature
 *   columns (any order, others ignored); the stored standardisation is applied; the label column,
 *   when present, gives labels by the run's class names.
 * - Any other run: every column except an optional `label` column is a value, in order, and there
 *   must be exactly `dim` of them (e.g. 784 pixels in [0,1] for 28×28 images); the header is
 *   optional (detected when a field of the first row is not a number).
 *
 * Errors are DataErrors naming the file, and the line and column of a bad field.
 */
export async function readCsvRows(file: string, target: CsvRowsTarget): Promise<CsvRows> {
  const f = target.features;
  const table = await readCsvTable(file, { delimiter: target.delimiter, header: f ? true : 'auto' });
  let cols: number[];
  let labels: Int32Array | undefined;
  if (f) {
    cols = columnIndices(table, f.columns, 'feature column');
    const labelCol = f.label !== undefined ? table.header.indexOf(f.label) : -1;
    if (labelCol >= 0 && f.labelNames) labels = labelIndices(table, labelCol, f.labelNames);
  } else {
    const labelCol = table.hasHeader ? table.header.indexOf('label') : -1;
    cols = table.header.map((_, i) => i).filter((i) => i !== labelCol);
    if (cols.length !== target.dim) {
      throw new DataError(
        file,
        `rows have ${cols.length} value columns${labelCol >= 0 ? ' besides "label"' : ''}, but the model takes ${target.dim} values per row (data shape [${target.shape.join(', ')}])`,
      );
    }
    if (labelCol >= 0) {
      labels = Int32Array.from(table.rows, (r, k) => {
        const v = r[labelCol]!.trim();
        if (!/^\d+$/.test(v)) throw new DataError(file, `line ${table.lines[k]}, column "label" (${labelCol + 1}): expected a class number ≥ 0, got ${JSON.stringify(v)}`);
        return Number(v);
      });
    }
  }
  if (table.rows.length === 0) throw new DataError(file, 'the file has a header but no rows');
  const values = numericColumns(table, cols);
  if (f?.standardization) applyStandardization(values, f.standardization);
  return { split: new InMemorySplit(values, cols.length, labels), lines: table.lines };
}
