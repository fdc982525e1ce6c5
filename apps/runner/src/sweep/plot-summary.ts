import type { TopLevelSpec } from 'vega-lite';
import { formatValue } from './expand-trials.js';
import type { SweepSummary } from './sweep-summary.js';
import { PLOT_CONFIG, renderPlot } from '../plots/render-plot.js';

const BEST = '#d62728';

/** The Vega-Lite spec: one panel per swept path (with more than one value), metric against it, the best trial marked. */
export function plotSpec(s: SweepSummary): TopLevelSpec | undefined {
  const ranked = s.rows.filter((r) => r.value !== undefined);
  if (!ranked.length) return undefined;
  const keys = s.keys.filter((k) => new Set(ranked.map((r) => JSON.stringify(r.record.params[k]))).size > 1);
  const numeric = (k: string) => ranked.every((r) => typeof r.record.params[k] === 'number');
  // A few integers (seeds, latent sizes, β = 1, 2, 4, 8) read best as evenly spaced categories.
  const fewIntegers = (k: string) => ranked.every((r) => Number.isInteger(r.record.params[k])) && new Set(ranked.map((r) => r.record.params[k])).size <= 12;
  const values = ranked.map((r) => ({
    value: r.value,
    best: r === s.best,
    trial: r.rank! - 1,
    ...Object.fromEntries(keys.map((k, i) => [`p${i}`, numeric(k) ? r.record.params[k] : formatValue(r.record.params[k])])),
  }));
  const y = { field: 'value', type: 'quantitative' as const, title: s.metric.name, scale: { zero: false } };
  /** The x axis of path k: log for loguniform draws and wide grids, categories for a few integers or non-numbers. */
  const xOf = (k: string, i: number) => {
    const field = `p${i}`;
    if (!numeric(k)) return { field, type: 'nominal' as const, title: k };
    if (s.logKeys.includes(k) && ranked.every((r) => (r.record.params[k] as number) > 0))
      return { field, type: 'quantitative' as const, title: k, scale: { type: 'log' as const } };
    if (fewIntegers(k)) return { field, type: 'ordinal' as const, title: k, sort: 'ascending' as const, axis: { labelAngle: 0 } };
    return { field, type: 'quantitative' as const, title: k, scale: { zero: false } };
  };
  const panels = (keys.length ? keys : ['(trial rank)']).map((k, i) => {
    const x = keys.length ? xOf(k, i) : { field: 'trial', type: 'ordinal' as const, title: 'trials, best first' };
    return {
      width: 240,
      height: 180,
      layer: [
        { mark: { type: 'point' as const, filled: true, opacity: 0.75, size: 50 }, encoding: { x, y } },
        { transform: [{ filter: 'datum.best' }], mark: { type: 'point' as const, filled: true, shape: 'diamond', color: BEST, size: 160 }, encoding: { x, y } },
      ],
    };
  });
  const best = s.best!.record;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `sweep ${s.name}: ${s.metric.name} (${s.metric.goal})`,
      subtitle: `best (red): trial ${best.index + 1} (${best.hash}), ${s.metric.name} = ${formatValue(s.best!.value)}`,
    },
    data: { values },
    columns: Math.min(panels.length, 3),
    concat: panels,
    config: PLOT_CONFIG,
  };
}

/** Renders the plot to PNG, or undefined when no trial has a value. */
export async function plotSummary(s: SweepSummary): Promise<Uint8Array | undefined> {
  const spec = plotSpec(s);
  return spec ? renderPlot(spec) : undefined;
}
