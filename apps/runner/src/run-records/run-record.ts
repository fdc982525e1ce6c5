import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError, RunFiles, type MetricPoint, type ParamValue } from '@elbo/core';
import { readMetrics, readParams, readStatus } from '@elbo/trackers';

/** What `elbo runs`, `compare` and `plot` read of one run folder (`<runs>/<experiment>/<run-id>/`). */
export interface RunRecord {
  readonly dir: string;
  readonly id: string;
  readonly experiment: string;
  /** The config's `name`, else the run id. */
  readonly name: string;
  /** From `status.json`; `-` when the local tracker never wrote one. */
  readonly status: string;
  /** The flattened config, as logged (`params.json`). */
  readonly params: Readonly<Record<string, ParamValue>>;
  /** The last value of each held-out metric in `metrics.jsonl`: `test/*` (per epoch) and `final/*` (the final evaluation). */
  readonly final: Readonly<Record<string, number>>;
  readonly history: readonly MetricPoint[];
}

/** Reads a run folder; a folder without `config.yaml` is a ConfigError naming it. */
export function readRunRecord(dir: string): RunRecord {
  const abs = resolve(dir);
  if (!existsSync(abs)) throw new ConfigError(`${dir}: no such run folder`);
  if (!existsSync(join(abs, RunFiles.config))) throw new ConfigError(`${dir}: not a run folder (no ${RunFiles.config})`);
  const params = readParams(abs);
  const history = readMetrics(abs);
  const final: Record<string, number> = {};
  for (const p of history) if (p.key.startsWith('test/') || p.key.startsWith('final/')) final[p.key] = p.value;
  const id = basename(abs);
  return {
    dir: abs,
    id,
    experiment: basename(dirname(abs)),
    name: typeof params['name'] === 'string' && params['name'] ? params['name'] : id,
    status: readStatus(abs)?.status ?? '-',
    params,
    final,
    history,
  };
}

/** The run folders under a runs folder (`<runs>/<experiment>/<run-id>/` with a `config.yaml`), oldest first. */
export function findRunDirs(runs: string, experiment?: string): string[] {
  if (!existsSync(runs)) throw new ConfigError(`--runs ${runs}: no such folder`);
  const subdirs = (d: string) =>
    readdirSync(d, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  const experiments = experiment === undefined ? subdirs(runs) : [experiment];
  if (experiment !== undefined && !existsSync(join(runs, experiment))) {
    throw new ConfigError(`--experiment ${experiment}: no such experiment under ${runs} (found: ${subdirs(runs).join(', ') || 'none'})`);
  }
  return experiments.flatMap((e) =>
    subdirs(join(runs, e))
      .map((id) => join(runs, e, id))
      .filter((d) => existsSync(join(d, RunFiles.config))),
  );
}

/** The params whose values differ between the runs (a param one run lacks counts as differing), sorted; `name` excluded. */
export function differingParams(runs: readonly RunRecord[]): string[] {
  const keys = new Set(runs.flatMap((r) => Object.keys(r.params)));
  keys.delete('name');
  return [...keys].filter((k) => new Set(runs.map((r) => JSON.stringify(r.params[k] ?? null))).size > 1).sort();
}

/** The run labels for a legend: the names, with the run id added where two runs share one. */
export function runLabels(runs: readonly RunRecord[]): string[] {
  const count = new Map<string, number>();
  for (const r of runs) count.set(r.name, (count.get(r.name) ?? 0) + 1);
  return runs.map((r) => (count.get(r.name)! > 1 ? `${r.name} (${r.id})` : r.name));
}

/** Every held-out metric (`final/*`, `test/*`) any of the runs has, sorted. */
export function finalMetricKeys(runs: readonly RunRecord[]): string[] {
  return [...new Set(runs.flatMap((r) => Object.keys(r.final)))].sort();
}
