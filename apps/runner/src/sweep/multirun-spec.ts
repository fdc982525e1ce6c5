import { isAbsolute, relative, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError, parsePath } from '@elbo/core';
import type { SweepSpec, SweptKey } from './sweep-spec.js';

/** The metric a multirun compares its trials by unless told otherwise: the final held-out negative ELBO. */
export const MULTIRUN_METRIC = { name: 'final/neg_elbo', goal: 'minimize' } as const;

/**
 * Splits `8,16` or `[1,2],[3,4]` at its top-level commas: not inside `[…]`, `{…}` or quotes, so a
 * YAML list or mapping stays one value. A value without a top-level comma comes back alone.
 */
export function splitTopLevel(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(value.slice(start));
  return parts;
}

/** One list element read as `--set` reads a value: YAML, so `8`, `1e-3`, `[400, 400]` have their types. */
function readValue(raw: string): unknown {
  const text = raw.trim();
  try {
    return parseYaml(text);
  } catch {
    return text;
  }
}

export interface Multirun {
  readonly spec: SweepSpec;
  /** The overrides without a comma list: applied to every trial. */
  readonly set: readonly string[];
}

/**
 * `elbo train <config> --multirun --set a=1,2 --set b=x,y`, as a sweep: every `--set` whose value
 * has top-level commas is a grid axis (the combinations, the last axis varying fastest, as in a
 * sweep file's `grid`), every other `--set` applies to all trials. The trials are compared by
 * `metric` (default `final/neg_elbo`, minimized).
 */
export function multirunSpec(config: string, set: readonly string[], metric: SweepSpec['metric'] = MULTIRUN_METRIC): Multirun {
  const grid: SweptKey[] = [];
  const plain: string[] = [];
  const problems: string[] = [];
  for (const assignment of set) {
    const eq = assignment.indexOf('=');
    const parts = eq > 0 ? splitTopLevel(assignment.slice(eq + 1)) : [];
    if (parts.length < 2) {
      plain.push(assignment);
      continue;
    }
    const key = assignment.slice(0, eq).trim();
    const where = `--set ${assignment}`;
    try {
      parsePath(key);
    } catch (e) {
      problems.push((e as Error).message);
      continue;
    }
    if (parts.some((p) => p.trim() === '')) problems.push(`${where}: an empty value in the comma list`);
    else if (grid.some((g) => g.key === key)) problems.push(`${where}: ${key} already has a comma list; give each swept path one --set`);
    else grid.push({ key, where, values: parts.map(readValue) });
  }
  if (!grid.length && !problems.length) problems.push('--multirun: no --set has a comma list of values (--set seed=1,2,3); nothing to sweep');
  if (problems.length) throw ConfigError.of(problems);
  const rel = relative(process.cwd(), resolve(config));
  return {
    spec: {
      file: config,
      base: rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : resolve(config),
      metric,
      grid,
      executor: 'local',
      plugins: [],
    },
    set: plain,
  };
}
