import { ConfigError } from '@elbo/core';
import { formatValue } from '../sweep/expand-trials.js';
import { alignTable, formatMetric } from '../sweep/sweep-summary.js';
import { differingParams, finalMetricKeys, readRunRecord, runLabels } from '../run-records/run-record.js';
import { checkPngOut, writeOverlay } from './plot.js';

export interface CompareArgs {
  runDirs: string[];
  metric: string;
  out: string;
}

/**
 * `elbo compare <run> <run>… [--metric test/neg_elbo] [--out elbo-compare.png]`: the params that
 * differ, the final held-out metrics (test/*, final/*) side by side (one column per run), and the metric's curves
 * overlaid in a PNG whose path is printed last.
 */
export async function compareCommand(args: CompareArgs, write: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  if (args.runDirs.length < 2) throw new ConfigError(`elbo compare: expected at least two run folders, got ${args.runDirs.length}`);
  checkPngOut(args.out);
  const runs = args.runDirs.map(readRunRecord);
  const labels = runLabels(runs);
  const params = differingParams(runs);
  const parts: string[] = [];
  const runHeader = runs.map((r, i) => (labels[i] === r.id ? r.id : `${labels[i]} [${r.id}]`));
  parts.push(`runs:\n${runs.map((r, i) => `  ${runHeader[i]}  ${r.status}  ${r.dir}`).join('\n')}\n`);
  parts.push(
    params.length
      ? `params that differ:\n${alignTable([['param', ...labels], ...params.map((k) => [k, ...runs.map((r) => (r.params[k] === undefined ? '—' : formatValue(r.params[k])))])])}`
      : 'params that differ: none\n',
  );
  const metrics = finalMetricKeys(runs);
  parts.push(
    metrics.length
      ? `final metrics:\n${alignTable([['metric', ...labels], ...metrics.map((k) => [k, ...runs.map((r) => formatMetric(r.final[k]))])])}`
      : 'final metrics: none recorded\n',
  );
  write(parts.join('\n'));
  write(`\n${args.metric} per epoch: ${await writeOverlay(runs, args.metric, args.out)}\n`);
  return 0;
}
