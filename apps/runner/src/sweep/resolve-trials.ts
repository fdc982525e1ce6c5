import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { applyOverride, ConfigError, loadConfig, resolveConfig, type ComponentRegistry, type ResolvedRunConfig } from '@elbo/core';
import { blameOverrides, overlaps } from '../config/blame-overrides.js';
import { setup } from '../setup.js';
import { describeParams, type TrialPoint } from './expand-trials.js';
import type { SweepSpec } from './sweep-spec.js';

/** A trial with its config resolved and checked. */
export interface ResolvedTrial extends TrialPoint {
  /** Hash of the resolved config (without `name`): the trial's identity across re-runs. */
  readonly hash: string;
  readonly config: ResolvedRunConfig;
}

/** JSON with object keys sorted at every level: the same config always gives the same text. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** 12 hex digits of SHA-256 over the canonical JSON of a resolved config, its run name left out. */
export function trialHash(config: ResolvedRunConfig): string {
  const { name: _name, ...rest } = config;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex').slice(0, 12);
}

const pathOf = (assignment: string) => assignment.slice(0, Math.max(0, assignment.indexOf('='))).trim();

/** `--set` must not change a swept path: every trial would get the same value. */
function checkOverrides(spec: SweepSpec, set: readonly string[]): void {
  const swept = [...spec.grid, ...(spec.random?.space ?? [])];
  const problems = set.flatMap((a) => {
    const clash = swept.find((s) => overlaps(pathOf(a), s.key));
    return clash ? [`--set ${a}: ${clash.key} is swept by ${clash.where.startsWith('--set ') ? clash.where : `${spec.file} (${clash.where})`}; --set applies to every trial`] : [];
  });
  if (problems.length) throw ConfigError.of(problems);
}

/** Where a swept value was written: `sweep.yaml: grid.seed[1]`, or a multirun's `--set seed=1,x (value 2)`. */
const at = (spec: SweepSpec, origin: string) => (origin.startsWith('--set ') ? origin : `${spec.file}: ${origin}`);

/**
 * Turns one trial's problem lines into lines about the sweep file where a swept value is the cause
 * (`sweep.yaml: grid.model.latent[0]: expected a positive integer, got 0`); other problems come
 * from the base config or `--set` and are reported against the base file (then the override, by the caller).
 */
function mapProblems(problems: readonly string[], trial: TrialPoint, spec: SweepSpec): string[] {
  const prefix = `${spec.base}: `;
  return problems.map((line) => {
    const p = line.startsWith(prefix) ? line.slice(prefix.length) : line;
    const colon = p.indexOf(': ');
    const path = colon > 0 ? p.slice(0, colon) : '';
    const key = Object.keys(trial.params).find((k) => overlaps(path, k));
    if (key === undefined) return `${spec.base}: ${p}`;
    const drawn = trial.origins[key]!.startsWith('random.') ? ` (drawn for trial ${trial.index + 1})` : '';
    return `${at(spec, trial.origins[key]!)}: ${p.slice(colon + 2)}${drawn}`;
  });
}

/**
 * Builds and checks the config of every trial before any trial starts: the base config with
 * `--set` overrides, then the trial's swept values, resolved against the components the config's
 * plugins bring (as `elbo train` does). Every problem of every trial is reported at once, in a
 * ConfigError (exit status 2). Trials whose resolved configs are identical (a `choice` drawn twice)
 * are kept once.
 */
export async function resolveTrials(spec: SweepSpec, points: readonly TrialPoint[], set: readonly string[]): Promise<{ trials: ResolvedTrial[]; duplicates: number }> {
  checkOverrides(spec, set);
  const base = await loadConfig(spec.base, set);
  const registries = new Map<string, ComponentRegistry>();
  const problems: string[] = [];
  const trials: ResolvedTrial[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (const point of points) {
    const raw = structuredClone(base);
    try {
      for (const [key, value] of Object.entries(point.params)) applyOverride(raw, `${key}=${JSON.stringify(value)}`);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      const key = Object.keys(point.params).find((k) => e.message.startsWith(`--set ${k}=`));
      problems.push(key === undefined ? `${spec.file}: ${e.message}` : `${at(spec, point.origins[key]!)}: ${e.message.replace(/^--set [^:]*: /, '')}`);
      continue;
    }
    if (Array.isArray(raw['plugins'])) {
      raw['plugins'] = raw['plugins'].map((p: unknown) => (typeof p === 'string' && /^\.\.?\//.test(p) ? resolve(dirname(spec.base), p) : p));
    }
    const plugins = Array.isArray(raw['plugins']) ? raw['plugins'].filter((p): p is string => typeof p === 'string') : [];
    const id = JSON.stringify(plugins);
    if (!registries.has(id)) registries.set(id, (await setup(plugins)).registry);
    let config: ResolvedRunConfig;
    try {
      config = resolveConfig(raw, registries.get(id)!, spec.base);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(...blameOverrides(mapProblems(e.problems, point, spec), spec.base, set));
      continue;
    }
    if (!config.tracking['local']) {
      problems.push(`${spec.base}: tracking.local: a sweep reads each trial's results from its run folder; keep tracker/local on (tracking.local: {})`);
      continue;
    }
    const hash = trialHash(config);
    if (seen.has(hash)) {
      duplicates += 1;
      continue;
    }
    seen.add(hash);
    trials.push({ ...point, hash, config });
  }
  if (problems.length) {
    const unique = [...new Set(problems)];
    throw ConfigError.of(unique.length > 20 ? [...unique.slice(0, 20), `… and ${unique.length - 20} more problems`] : unique);
  }
  return { trials, duplicates };
}

/** `trial 3 (beta=2 seed=1)`. */
export const trialLabel = (t: TrialPoint): string => `trial ${t.index + 1} (${describeParams(t.params)})`;
