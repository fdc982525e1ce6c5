import { formatCsv } from '@elbo/datasets';
import { formatValue, shortLabels } from './expand-trials.js';
import type { TrialRecord } from './sweep-folder.js';
import { finalMetric } from './trial-status.js';

export interface SweepMetric {
  readonly name: string;
  readonly goal: 'minimize' | 'maximize';
}

/** One trial in the summary. */
export interface SummaryRow {
  /** 1 for the best trial; absent for trials without a value of the metric. */
  readonly rank?: number;
  readonly record: TrialRecord;
  /** The metric's final value in the trial's run folder. */
  readonly value?: number;
}

/** The comparison of a sweep's trials by its metric. */
export interface SweepSummary {
  readonly name: string;
  readonly metric: SweepMetric;
  /** The swept config paths, in the sweep file's order. */
  readonly keys: readonly string[];
  /** Swept paths whose values are best shown on a log axis (loguniform draws, wide positive grids). */
  readonly logKeys: readonly string[];
  /** Ranked trials first (best first), then the ones without a value, in trial order. */
  readonly rows: readonly SummaryRow[];
  readonly best?: SummaryRow;
}

/**
 * Reads every FINISHED trial's final value of the metric from its run folder's metric history and
 * sorts the trials by it (ascending to minimize, descending to maximize; ties keep trial order).
 */
export function summarize(name: string, metric: SweepMetric, keys: readonly string[], logKeys: readonly string[], records: readonly TrialRecord[]): SweepSummary {
  const withValues = records.map((record) => {
    const v = record.status === 'FINISHED' && record.runDir ? finalMetric(record.runDir, metric.name) : undefined;
    return { record, value: v !== undefined && Number.isFinite(v) ? v : undefined };
  });
  const sign = metric.goal === 'minimize' ? 1 : -1;
  const ranked = withValues.filter((r) => r.value !== undefined).sort((a, b) => sign * (a.value! - b.value!) || a.record.index - b.record.index);
  const rest = withValues.filter((r) => r.value === undefined).sort((a, b) => a.record.index - b.record.index);
  const rows: SummaryRow[] = [...ranked.map((r, i) => ({ ...r, rank: i + 1 })), ...rest];
  return { name, metric, keys, logKeys, rows, ...(ranked.length ? { best: rows[0] } : {}) };
}

/** A metric value for people: two decimals from 1 up, four significant digits below. */
export function formatMetric(v: number | undefined): string {
  if (v === undefined) return '—';
  return Math.abs(v) >= 1 ? v.toFixed(2) : String(Number(v.toPrecision(4)));
}

const runId = (runDir: string | undefined) => (runDir ? runDir.split(/[\\/]/).pop()! : '');

/** The summary as rows of cells: one header, one row per trial. `full`: exact values and paths (CSV). */
function cells(s: SweepSummary, full: boolean): string[][] {
  const labels = shortLabels(s.keys);
  // With a scheduler: the rung (epoch) at which each STOPPED trial stopped.
  const rungs = s.rows.some((r) => r.record.rung !== undefined);
  const header = ['rank', 'trial', ...s.keys.map((k) => (full ? k : labels[k]!)), 'status', ...(rungs ? ['stopped_at'] : []), s.metric.name, full ? 'run_dir' : 'run', 'reason'];
  const body = s.rows.map(({ rank, record, value }) => [
    rank === undefined ? '' : String(rank),
    record.hash,
    ...s.keys.map((k) => (full ? (typeof record.params[k] === 'string' ? (record.params[k] as string) : JSON.stringify(record.params[k])) : formatValue(record.params[k]))),
    record.status,
    ...(rungs ? [record.status === 'STOPPED' && record.rung !== undefined ? String(record.rung) : ''] : []),
    full ? (value === undefined ? '' : String(value)) : formatMetric(value),
    full ? (record.runDir ?? '') : runId(record.runDir),
    record.reason ?? '',
  ]);
  return [header, ...body];
}

/** Rows of cells as aligned text columns (numbers right-aligned) under a header and a rule. */
export function alignTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const numeric = rows[0]!.map((_, i) => rows.length > 1 && rows.slice(1).every((r) => r[i] === '' || r[i] === '—' || /^-?[\d.]+(e[-+]?\d+)?$/.test(r[i]!)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(rows[0]!), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line)].join('\n')}\n`;
}

/** The console table: the summary's rows, long reasons cut. */
export function formatTable(s: SweepSummary): string {
  return alignTable(cells(s, false).map((r) => r.map((c, i) => (i === r.length - 1 && c.length > 90 ? `${c.slice(0, 89)}…` : c))));
}

/** The same table as CSV (RFC 4180, by the datasets' `formatCsv`), with exact values and full run folder paths. */
export function summaryCsv(s: SweepSummary): string {
  const [header, ...rows] = cells(s, true);
  return formatCsv(header!, rows);
}

/** `best: trial 3 (a1b2c3d4e5f6) beta=1 seed=2 — test/neg_elbo 98.21 (minimize) — <run folder>`. */
export function bestLine(s: SweepSummary): string {
  if (!s.best) return `best: none — no trial finished with a value of ${s.metric.name}`;
  const { record, value } = s.best;
  const labels = shortLabels(s.keys);
  const params = s.keys.map((k) => `${labels[k]}=${formatValue(record.params[k])}`).join(' ');
  return `best: trial ${record.index + 1} (${record.hash}) ${params} — ${s.metric.name} ${formatMetric(value)} (${s.metric.goal}) — ${record.runDir}`;
}
