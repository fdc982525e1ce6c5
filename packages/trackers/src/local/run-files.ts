import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError, type MetricPoint, type ParamValue, type RunStatus } from '@elbo/core';

/** The files tracker/local owns inside a run folder (core owns `config.yaml` and `artifacts/`). */
export const LocalRunFiles = {
  params: 'params.json',
  metrics: 'metrics.jsonl',
  status: 'status.json',
  artifactIndex: 'artifacts.json',
  artifacts: 'artifacts',
} as const;

/** The content of `status.json`. Times are milliseconds since the epoch. */
export interface RunStatusRecord {
  readonly status: RunStatus;
  readonly startedAt: number;
  readonly endedAt?: number;
  readonly error?: string;
}

/** One entry of `artifacts.json`, keyed by the artifact's path relative to `artifacts/`. */
export interface ArtifactEntry {
  readonly size: number;
  readonly sha256: string;
}

export type ArtifactIndex = Readonly<Record<string, ArtifactEntry>>;

const STATUSES: readonly string[] = ['RUNNING', 'FINISHED', 'FAILED', 'KILLED'];
const NON_FINITE: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/** JSON has no NaN or ±Infinity: they are written as the strings "NaN", "Infinity", "-Infinity". */
export function encodeNumber(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

function decodeNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v in NON_FINITE) return NON_FINITE[v];
  return undefined;
}

/** One line of `metrics.jsonl` (with its newline); the key order is fixed. */
export function encodeMetricLine(p: MetricPoint): string {
  return `${JSON.stringify({ key: p.key, value: encodeNumber(p.value), step: p.step, timestamp: p.timestamp })}\n`;
}

/** Parses `metrics.jsonl` content. A torn last line (no newline, not JSON: a crash mid-append) is ignored. */
export function parseMetricLines(text: string, file: string = LocalRunFiles.metrics): MetricPoint[] {
  const lines = text.split('\n');
  const points: MetricPoint[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const last = i === lines.length - 1;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      if (last) break;
      throw new DataError(file, `line ${i + 1}: not JSON`);
    }
    const o = (raw ?? {}) as Record<string, unknown>;
    const value = decodeNumber(o.value);
    if (typeof o.key !== 'string' || value === undefined || typeof o.step !== 'number' || typeof o.timestamp !== 'number') {
      throw new DataError(file, `line ${i + 1}: expected {"key","value","step","timestamp"}, got ${line}`);
    }
    points.push({ key: o.key, value, step: o.step, timestamp: o.timestamp });
  }
  return points;
}

function readText(runDir: string, name: string): { file: string; text: string } | undefined {
  const file = join(runDir, name);
  try {
    return { file, text: readFileSync(file, 'utf8') };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function readJsonObject(runDir: string, name: string): { file: string; value: Record<string, unknown> } | undefined {
  const t = readText(runDir, name);
  if (!t) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(t.text);
  } catch (e) {
    throw new DataError(t.file, `not valid JSON (${(e as Error).message})`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new DataError(t.file, 'expected a JSON object');
  return { file: t.file, value: value as Record<string, unknown> };
}

/** The metric history of a run folder, in file order; `[]` when there is no `metrics.jsonl`. */
export function readMetrics(runDir: string): MetricPoint[] {
  const t = readText(runDir, LocalRunFiles.metrics);
  return t ? parseMetricLines(t.text, t.file) : [];
}

/** The run's `status.json`, or undefined when the tracker never started. */
export function readStatus(runDir: string): RunStatusRecord | undefined {
  const r = readJsonObject(runDir, LocalRunFiles.status);
  if (!r) return undefined;
  const { status, startedAt, endedAt, error } = r.value;
  if (typeof status !== 'string' || !STATUSES.includes(status)) {
    throw new DataError(r.file, `status: expected one of ${STATUSES.join(', ')}, got ${JSON.stringify(status)}`);
  }
  if (typeof startedAt !== 'number') throw new DataError(r.file, 'startedAt: expected a number (ms since the epoch)');
  return {
    status: status as RunStatus,
    startedAt,
    ...(typeof endedAt === 'number' ? { endedAt } : {}),
    ...(typeof error === 'string' ? { error } : {}),
  };
}

/** The run's `params.json`, or `{}` when absent (a non-finite number param reads back as its string). */
export function readParams(runDir: string): Record<string, ParamValue> {
  const r = readJsonObject(runDir, LocalRunFiles.params);
  if (!r) return {};
  const out: Record<string, ParamValue> = {};
  for (const [k, v] of Object.entries(r.value)) {
    if (v === null || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
    else if (typeof v === 'string') out[k] = v;
    else throw new DataError(r.file, `${k}: expected a string, number, boolean or null`);
  }
  return out;
}

/** The run's `artifacts.json` (path → size, sha256), or `{}` when absent. */
export function readArtifactIndex(runDir: string): ArtifactIndex {
  const r = readJsonObject(runDir, LocalRunFiles.artifactIndex);
  if (!r) return {};
  const out: Record<string, ArtifactEntry> = {};
  for (const [k, v] of Object.entries(r.value)) {
    const e = (v ?? {}) as Record<string, unknown>;
    if (typeof e.size !== 'number' || typeof e.sha256 !== 'string') throw new DataError(r.file, `${k}: expected { size, sha256 }`);
    out[k] = { size: e.size, sha256: e.sha256 };
  }
  return out;
}

/** Pretty, key-sorted JSON with a trailing newline, non-finite numbers encoded as strings. */
export function stableJson(o: Readonly<Record<string, unknown>>): string {
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) {
    const v = o[k];
    sorted[k] = typeof v === 'number' ? encodeNumber(v) : v;
  }
  return `${JSON.stringify(sorted, null, 2)}\n`;
}
