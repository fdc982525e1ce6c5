import type { MetricPoint, Progress } from '@elbo/core';

/**
 * The console tracker's line formats, pure and locale-independent so the output is stable:
 *
 *     epoch 3/10  step 240/800  loss 112.4  (1,520 samples/s)
 *     epoch 3/10  eval 2000/10000  (5,210/s)
 *     metrics @ step 2400  test/neg_elbo 98.12  train/kl 23.41  train/loss 108.7
 *     run mnist/r-42 FINISHED in 3m 12s
 */
export const ConsoleFormat = {
  value: formatValue,
  rate: formatRate,
  duration: formatDuration,
  progress: progressLine,
  metrics: metricsLine,
  bar: barString,
};

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A metric value to 4 significant digits, without trailing zeros (`112.4`, `0.5`, `1.235e+6`). */
function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) {
    const [mantissa, exp] = v.toExponential(3).split('e');
    return `${stripZeros(mantissa!)}e${exp}`;
  }
  return String(Number(v.toPrecision(4)));
}

function stripZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** A rate: grouped integer from 100 up (`1,520`), else 3 significant digits (`85.3`, `2.5`); `unit` may be ''. */
function formatRate(perSecond: number, unit: string): string {
  const n = perSecond >= 100 ? grouped.format(perSecond) : String(Number(perSecond.toPrecision(3)));
  return unit ? `${n} ${unit}/s` : `${n}/s`;
}

/** `0.4s`, `12s`, `3m 12s`, `1h 02m 03s`. */
function formatDuration(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 10) return `${Number(s.toFixed(1))}s`;
  const total = Math.round(s);
  if (total < 60) return `${total}s`;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}h ${pad(m)}m ${pad(sec)}s` : `${m}m ${pad(sec)}s`;
}

/** `key value` pairs, keys sorted, two spaces between pairs. */
function pairs(values: Readonly<Record<string, number>>): string[] {
  return Object.keys(values)
    .sort()
    .map((k) => `${k} ${formatValue(values[k]!)}`);
}

/**
 * `epoch 3/10  step 240/800  loss 112.4  (1,520 samples/s)`; the eval phase says `eval` for `step`.
 * `rate` is left out while unknown; `bar` (for the TTY) goes between the label and the counts.
 */
function progressLine(p: Progress, rate?: { perSecond: number; unit: string }, bar?: string): string {
  const parts = [`epoch ${p.epoch}/${p.epochs}`];
  if (bar !== undefined) parts.push(bar);
  parts.push(`${p.phase === 'eval' ? 'eval' : 'step'} ${p.stepInEpoch}/${p.stepsPerEpoch}`);
  parts.push(...pairs(p.metrics));
  if (rate && Number.isFinite(rate.perSecond) && rate.perSecond > 0) parts.push(`(${formatRate(rate.perSecond, rate.unit)})`);
  return parts.join('  ');
}

/** `metrics @ step 2400  test/neg_elbo 98.12  train/loss 108.7`: the latest value of each key. */
function metricsLine(points: readonly MetricPoint[]): string {
  const latest = new Map<string, MetricPoint>();
  let step = -Infinity;
  for (const p of points) {
    const prev = latest.get(p.key);
    if (!prev || p.step >= prev.step) latest.set(p.key, p);
    step = Math.max(step, p.step);
  }
  const values: Record<string, number> = {};
  for (const [k, p] of latest) values[k] = p.value;
  return [`metrics @ step ${step}`, ...pairs(values)].join('  ');
}

/** `[██████░░░░░░]` for a fraction in [0, 1]. */
function barString(fraction: number, width = 24): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(f * width);
  return `[${'█'.repeat(full)}${'░'.repeat(width - full)}]`;
}
