import { resolve } from 'node:path';
import { formatCsv } from '@elbo/datasets';
import { ConfigError } from '@elbo/core';
import { formatValue } from '../sweep/expand-trials.js';
import { alignTable, formatMetric } from '../sweep/sweep-summary.js';
import { differingParams, finalMetricKeys, findRunDirs, readRunRecord, type RunRecord } from '../run-records/run-record.js';
import { matches, parseWhere, valueOf } from '../run-records/where-clause.js';

export interface RunsArgs {
  runs: string;
  experiment?: string;
  where: string[];
  sort?: string;
  csv: boolean;
}

/**
 * `elbo runs [--runs runs] [--experiment e] [--where 'test/neg_elbo < 110']… [--sort key] [--csv]`:
 * one row per run folder under the runs folder — status, the params that differ between the listed
 * runs (and the name), the last value of each held-out metric (test/*, final/*). Every clause must hold (AND).
 */
export async function runsCommand(args: RunsArgs, write: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const clauses = args.where.map(parseWhere);
  const all = findRunDirs(resolve(args.runs), args.experiment).map(readRunRecord);
  let runs = all.filter((r) => clauses.every((c) => matches(r, c)));
  if (args.sort !== undefined) {
    const key = args.sort;
    if (all.length && !all.some((r) => valueOf(r, key) !== undefined)) {
      throw new ConfigError(`--sort ${key}: no run has this metric or numeric param (metrics: ${finalMetricKeys(all).join(', ') || 'none'})`);
    }
    const v = (r: RunRecord) => valueOf(r, key) ?? Infinity;
    runs = [...runs].sort((a, b) => v(a) - v(b));
  }
  const params = differingParams(runs);
  const metrics = finalMetricKeys(runs);
  const experiments = new Set(runs.map((r) => r.experiment)).size > 1;
  if (args.csv) {
    const header = ['run', 'experiment', 'name', 'status', ...params, ...metrics, 'run_dir'];
    const rows = runs.map((r) => [
      r.id,
      r.experiment,
      r.name,
      r.status,
      ...params.map((k) => (r.params[k] === undefined ? '' : typeof r.params[k] === 'string' ? (r.params[k] as string) : JSON.stringify(r.params[k]))),
      ...metrics.map((k) => (r.final[k] === undefined ? '' : r.final[k]!)),
      r.dir,
    ]);
    write(formatCsv(header, rows));
    return 0;
  }
  if (!runs.length) {
    process.stderr.write(
      `no runs under ${resolve(args.runs)}${args.experiment ? `/${args.experiment}` : ''}${clauses.length ? ` match ${clauses.map((c) => c.text).join(' and ')}` : ''}\n`,
    );
    return 0;
  }
  const header = ['run', ...(experiments ? ['experiment'] : []), 'name', 'status', ...params, ...metrics];
  const rows = runs.map((r) => [
    r.id,
    ...(experiments ? [r.experiment] : []),
    r.name,
    r.status,
    ...params.map((k) => (r.params[k] === undefined ? '—' : formatValue(r.params[k]))),
    ...metrics.map((k) => formatMetric(r.final[k])),
  ]);
  write(alignTable([header, ...rows]));
  return 0;
}
