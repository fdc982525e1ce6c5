import { Rng } from '@elbo/core';
import type { SweepSpec } from './sweep-spec.js';

/** One trial of a sweep before its config is resolved: the values of the swept config paths. */
export interface TrialPoint {
  /** Position in the expansion, from 0. */
  readonly index: number;
  /** Swept config path → value; grid paths first, then random ones, each in the sweep file's order. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Swept config path → where the value comes from in the sweep file (`grid.seed[2]`, `random.space.optimizer.lr`). */
  readonly origins: Readonly<Record<string, string>>;
}

type Assignment = { params: Record<string, unknown>; origins: Record<string, string> };

/** Every combination of the grid values, the last path varying fastest (as nested loops in file order). */
function gridPoints(spec: Pick<SweepSpec, 'grid'>): Assignment[] {
  let points: Assignment[] = [{ params: {}, origins: {} }];
  for (const { key, where, values } of spec.grid) {
    // A comma list of `elbo train --multirun` is named by its override: `--set seed=1,2 (value 2)`.
    const origin = (i: number) => (where.startsWith('--set ') ? `${where} (value ${i + 1})` : `${where}[${i}]`);
    points = points.flatMap((p) => values!.map((v, i) => ({ params: { ...p.params, [key]: structuredClone(v) }, origins: { ...p.origins, [key]: origin(i) } })));
  }
  return points;
}

/**
 * `random.trials` draws from the space, all from one generator: core's random stream `sweep/random`
 * under `random.seed` (a mulberry32 generator from its first hashed seed). Draw i takes one uniform
 * number per path, paths in file order. The same seed gives the same draws however large the grid is.
 */
function randomDraws(spec: Pick<SweepSpec, 'random'>): Assignment[] {
  if (!spec.random) return [{ params: {}, origins: {} }];
  const u = new Rng(spec.random.seed).stream('sweep/random').nextGenerator();
  const draws: Assignment[] = [];
  for (let i = 0; i < spec.random.trials; i++) {
    const a: Assignment = { params: {}, origins: {} };
    for (const { key, where, distribution } of spec.random.space) {
      a.params[key] = distribution!.draw(u());
      a.origins[key] = where;
    }
    draws.push(a);
  }
  return draws;
}

/**
 * The trials of a sweep: every grid point crossed with every random draw (grid point outer, draw
 * inner), so that each grid point — each seed, say — sees the same random configurations.
 * Grid only: one trial per grid point; random only: one trial per draw.
 */
export function expandTrials(spec: Pick<SweepSpec, 'grid' | 'random'>): TrialPoint[] {
  const draws = randomDraws(spec);
  return gridPoints(spec)
    .flatMap((g) => draws.map((r) => ({ params: { ...g.params, ...structuredClone(r.params) }, origins: { ...g.origins, ...r.origins } })))
    .map((a, index) => ({ index, ...a }));
}

/** A value as a person reads it in a table: numbers to 4 significant digits, lists as JSON. */
export function formatValue(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) || !Number.isFinite(v) ? String(v) : String(Number(v.toPrecision(4)));
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** `model.divergence.beta=2 seed=1`: the swept values of a trial, by the last segment of each path when unambiguous. */
export function describeParams(params: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(params);
  const labels = shortLabels(keys);
  return keys.map((k) => `${labels[k]}=${formatValue(params[k])}`).join(' ');
}

/** Column labels for config paths: the last segment (`beta`), or the full path where two would collide. */
export function shortLabels(keys: readonly string[]): Record<string, string> {
  const last = (k: string) => k.split('.').pop()!;
  const count = new Map<string, number>();
  for (const k of keys) count.set(last(k), (count.get(last(k)) ?? 0) + 1);
  return Object.fromEntries(keys.map((k) => [k, count.get(last(k))! > 1 ? k : last(k)]));
}
