import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { DataError } from '@elbo/core';

/** A CSV file as text fields: the header and every data row with the line it ends on. */
export interface CsvTable {
  readonly file: string;
  /** Column names (from the header row; `1`, `2`, … when the file has none). */
  readonly header: readonly string[];
  readonly hasHeader: boolean;
  readonly rows: readonly (readonly string[])[];
  /** The 1-based line of each data row (its last line, for quoted fields spanning lines). */
  readonly lines: readonly number[];
}

export interface CsvReadOptions {
  /** Field delimiter (default `,`). */
  readonly delimiter?: string;
  /** `true`: the first row names the columns; `auto`: only when one of its fields is not a number. */
  readonly header?: boolean | 'auto';
}

const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/** Whether a CSV field is a decimal number (no NaN, Infinity or hex). */
export function isNumberField(s: string): boolean {
  return NUMBER.test(s);
}

/**
 * Reads a CSV file with csv-parse (RFC 4180: quoted fields, embedded delimiters and newlines,
 * CRLF; a UTF-8 byte-order mark is dropped; blank lines are skipped). Every row must have as many
 * fields as the first; errors are DataErrors naming the file and the line.
 */
export async function readCsvTable(file: string, opts: CsvReadOptions = {}): Promise<CsvTable> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new DataError(file, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `cannot read: ${(e as Error).message}`);
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { delimiter: opts.delimiter ?? ',', bom: true, info: true, skip_empty_lines: true, trim: false }) as unknown as typeof records;
  } catch (e) {
    const err = e as Error & { code?: string; lines?: number; record?: string[] };
    const line = err.lines !== undefined ? `line ${err.lines}: ` : '';
    const counts = err.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' ? err.message.match(/expect (\d+), got (\d+)/) : null;
    const detail = counts ? `${counts[2]} fields, expected ${counts[1]} like the first row` : err.message.replace(/ (at|on) line \d+\.?$/, '');
    throw new DataError(file, `${line}${detail}`);
  }
  if (records.length === 0) throw new DataError(file, 'the file has no rows');
  const first = records[0]!.record;
  const hasHeader = opts.header === 'auto' || opts.header === undefined ? first.some((f) => !isNumberField(f)) : opts.header;
  const header = hasHeader ? first.map((h) => h.trim()) : first.map((_, i) => String(i + 1));
  if (hasHeader) {
    const seen = new Set<string>();
    header.forEach((h, i) => {
      if (!h) throw new DataError(file, `line ${records[0]!.info.lines}: column ${i + 1} of the header has no name`);
      if (seen.has(h)) throw new DataError(file, `line ${records[0]!.info.lines}: column "${h}" appears twice in the header`);
      seen.add(h);
    });
  }
  const data = hasHeader ? records.slice(1) : records;
  return { file, header, hasHeader, rows: data.map((r) => r.record), lines: data.map((r) => r.info.lines) };
}

/** Indices of the named columns; a DataError names the first missing one and the columns there are. */
export function columnIndices(table: CsvTable, names: readonly string[], what = 'column'): number[] {
  return names.map((n) => {
    const i = table.header.indexOf(n);
    if (i < 0) throw new DataError(table.file, `no ${what} "${n}" (columns: ${table.header.join(', ')})`);
    return i;
  });
}

/**
 * The numeric values of `cols` of every row (row-major, rows × cols.length), or of the rows at
 * `rows` only. A field that is not a number is a DataError naming its line and column.
 */
export function numericColumns(table: CsvTable, cols: readonly number[], rows?: ArrayLike<number>): Float32Array {
  const n = rows ? rows.length : table.rows.length;
  const out = new Float32Array(n * cols.length);
  for (let k = 0; k < n; k++) {
    const r = rows ? rows[k]! : k;
    const rec = table.rows[r]!;
    cols.forEach((c, j) => {
      const f = rec[c]!;
      if (!isNumberField(f)) {
        throw new DataError(
          table.file,
          `line ${table.lines[r]}, column "${table.header[c]}" (${c + 1}): expected a number, got ${f.trim() === '' ? 'an empty field' : JSON.stringify(f)}`,
        );
      }
      out[k * cols.length + j] = Number(f);
    });
  }
  return out;
}
