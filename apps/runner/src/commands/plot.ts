import { resolve } from 'node:path';
import { ConfigError, writeFileAtomic } from '@elbo/core';
import { overlaySpec } from '../plots/metric-curves.js';
import { renderPlot } from '../plots/render-plot.js';
import { readRunRecord, runLabels, type RunRecord } from '../run-records/run-record.js';

/** Checks `--out`, draws one metric of the runs against the epoch, writes the PNG atomically; resolves to its absolute path. */
export async function writeOverlay(runs: readonly RunRecord[], metric: string, out: string): Promise<string> {
  const labels = runLabels(runs);
  const spec = overlaySpec(
    metric,
    runs.map((r, i) => ({ label: labels[i]!, points: r.history })),
  );
  if (!spec) {
    const keys = [...new Set(runs.flatMap((r) => r.history.map((p) => p.key)))].sort();
    throw new ConfigError(`--metric ${metric}: none of the runs has it in metrics.jsonl (they have: ${keys.join(', ') || 'no metrics'})`);
  }
  const file = resolve(out);
  await writeFileAtomic(file, await renderPlot(spec));
  return file;
}

export function checkPngOut(out: string): void {
  if (!out.toLowerCase().endsWith('.png')) throw new ConfigError(`--out ${out}: expected a .png file name`);
}

export interface PlotArgs {
  runDirs: string[];
  metric: string;
  out: string;
}

/** `elbo plot <run-dir>… [--metric test/neg_elbo] [--out elbo-plot.png]`: one metric of several runs, overlaid; prints the PNG's path. */
export async function plotCommand(args: PlotArgs, write: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  checkPngOut(args.out);
  const runs = args.runDirs.map(readRunRecord);
  write(`${await writeOverlay(runs, args.metric, args.out)}\n`);
  return 0;
}
