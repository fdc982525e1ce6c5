import type { TopLevelSpec } from 'vega-lite';
import type { MetricPoint } from '@elbo/core';
import { PLOT_CONFIG } from './render-plot.js';

/** The panel a per-epoch metric is drawn in: train/x and test/x share one; the training loss sits beside the held-out −ELBO. */
function panelOf(key: string): { panel: string; split: string } | undefined {
  const m = /^(train|test)\/(.+)$/.exec(key);
  if (!m) return undefined;
  const [, split, part] = m as unknown as [string, string, string];
  return { split, panel: part === 'loss' || part === 'neg_elbo' ? 'loss · neg_elbo' : part };
}

const FIRST = ['loss · neg_elbo', 'recon', 'kl'];

/**
 * The Vega-Lite spec of a run's training curves: one panel per quantity (the loss and held-out
 * negative ELBO, reconstruction, KL, then the divergence's other named parts), train and test as
 * two lines against the epoch, each panel on its own y scale. Undefined when the history has no
 * finite train/ or test/ point.
 */
export function curvesSpec(history: readonly MetricPoint[], title: string): TopLevelSpec | undefined {
  const values = history.flatMap((p) => {
    const where = panelOf(p.key);
    return where && Number.isFinite(p.value) ? [{ ...where, key: p.key, epoch: p.step, value: p.value }] : [];
  });
  if (!values.length) return undefined;
  const panels = [...new Set(values.map((v) => v.panel))].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle: 'per epoch: training (mean over the epoch’s steps) and held-out (test split)' },
    data: { values },
    columns: Math.min(panels.length, 3),
    facet: { field: 'panel', type: 'nominal', title: null, sort: panels },
    spec: {
      width: 240,
      height: 170,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        color: { field: 'split', type: 'nominal', title: null, scale: { domain: ['train', 'test'] } },
        tooltip: [{ field: 'key' }, { field: 'epoch' }, { field: 'value' }],
      },
    },
    resolve: { scale: { y: 'independent' } },
    config: PLOT_CONFIG,
  };
}

function rank(panel: string): number {
  const i = FIRST.indexOf(panel);
  return i < 0 ? FIRST.length : i;
}

/** One labelled series of an overlay: a run's history of one metric. */
export interface Series {
  readonly label: string;
  readonly points: readonly MetricPoint[];
}

/**
 * The Vega-Lite spec of one metric across runs: one line per run against the epoch (legend: the
 * run's label). Points at the same step keep the last one (a run's final evaluation repeats its
 * last epoch's step). Undefined when no run has a finite point of the metric.
 */
export function overlaySpec(metric: string, series: readonly Series[]): TopLevelSpec | undefined {
  const values = series.flatMap((s) => {
    const byStep = new Map<number, number>();
    for (const p of s.points) if (p.key === metric && Number.isFinite(p.value)) byStep.set(p.step, p.value);
    return [...byStep].map(([epoch, value]) => ({ run: s.label, epoch, value }));
  });
  if (!values.length) return undefined;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: metric, subtitle: `${series.length} run${series.length === 1 ? '' : 's'}, per epoch` },
    data: { values },
    width: 480,
    height: 300,
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } },
      color: { field: 'run', type: 'nominal', title: 'run', sort: series.map((s) => s.label) },
    },
    config: PLOT_CONFIG,
  };
}
