import { DataError } from '@elbo/core';
import type { CsvTable } from './read-csv-table.js';

interface LabelSource {
  readonly table: CsvTable;
  readonly col: number;
  readonly rows?: ArrayLike<number>;
}

function* fields(s: LabelSource): Generator<[string, number]> {
  const n = s.rows ? s.rows.length : s.table.rows.length;
  for (let k = 0; k < n; k++) {
    const r = s.rows ? s.rows[k]! : k;
    yield [s.table.rows[r]![s.col]!.trim(), r];
  }
}

/**
 * The classes of a label column, as class index → name: when every label is an integer ≥ 0 the
 * classes are 0 … max (a label keeps its number); otherwise the distinct labels in sorted order.
 * An empty label is a DataError naming its line.
 */
export function labelNamesOf(sources: readonly LabelSource[]): string[] {
  const seen = new Set<string>();
  for (const s of sources) {
    for (const [f, r] of fields(s)) {
      if (f === '') throw new DataError(s.table.file, `line ${s.table.lines[r]}, column "${s.table.header[s.col]}" (${s.col + 1}): the label is empty`);
      seen.add(f);
    }
  }
  const all = [...seen];
  if (all.every((f) => /^\d+$/.test(f) && Number(f) <= 100_000)) {
    const max = Math.max(...all.map(Number));
    return Array.from({ length: max + 1 }, (_, i) => String(i));
  }
  return all.sort();
}

/** Class index of every row's label; a label outside `names` is a DataError naming its line. */
export function labelIndices(table: CsvTable, col: number, names: readonly string[], rows?: ArrayLike<number>): Int32Array {
  const index = new Map(names.map((n, i) => [n, i]));
  const numeric = names.every((n, i) => n === String(i));
  const out = new Int32Array(rows ? rows.length : table.rows.length);
  let k = 0;
  for (const [f, r] of fields({ table, col, rows })) {
    const i = index.get(numeric && /^\d+$/.test(f) ? String(Number(f)) : f);
    if (i === undefined) {
      const known = names.length <= 12 ? names.join(', ') : `${names.slice(0, 12).join(', ')}, …`;
      throw new DataError(table.file, `line ${table.lines[r]}, column "${table.header[col]}" (${col + 1}): unknown label ${JSON.stringify(f)} (the run's classes: ${known})`);
    }
    out[k++] = i;
  }
  return out;
}
