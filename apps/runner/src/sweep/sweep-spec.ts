import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, opt, parsePath, readConfigFile, validate } from '@elbo/core';
import { SchedulerSchema, type SchedulerSection } from './asha.js';
import { parseDistribution, type Distribution } from './parse-distribution.js';

const section = z.union([opt.string(), z.looseObject({ name: opt.string() })], {
  error: (i) => `expected an executor section ({ name: ..., options }) or a name, got ${JSON.stringify(i.input)}`,
});

/** The sweep file as written (YAML or JSON). */
export const SweepFileSchema = z.strictObject({
  /** Folder name under `<runs>/<experiment>/sweeps/` (default: the file's name and a hash of its trials). */
  name: opt
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, { error: (i) => `expected a name of letters, digits, ".", "_" or "-", got ${JSON.stringify(i.input)}` })
    .optional(),
  /** The config every trial starts from, relative to the sweep file. */
  base: opt.string(),
  /** The metric the trials are compared by: its final value in each run's metric history. */
  metric: z.strictObject({ name: opt.string(), goal: opt.oneOf(['minimize', 'maximize']).default('minimize') }),
  /** Config path → list of values; every combination is a trial. */
  grid: z
    .record(z.string(), z.array(z.unknown(), { error: (i) => `expected a list of values, got ${JSON.stringify(i.input)}` }).min(1, { error: 'expected at least one value' }))
    .optional(),
  /** `trials` draws from `space` (config path → expression), seeded; crossed with every grid point. */
  random: z
    .strictObject({
      trials: opt.positiveInt(),
      seed: opt.nonNegativeInt().default(0),
      space: z.record(z.string(), z.unknown()).refine((s) => Object.keys(s).length > 0, { error: 'expected at least one config path' }),
    })
    .optional(),
  /** What runs the trials: `local` (default), or an executor a plugin contributes. */
  executor: section.default('local'),
  /** Seconds a trial may run before it is stopped and recorded FAILED. */
  timeout: opt.positive().optional(),
  /** Early stopping: `{ name: asha, metric, rungs: [epochs…], eta }`. */
  scheduler: SchedulerSchema.optional(),
  /** Packages (or ./paths, relative to the sweep file) contributing executors. */
  plugins: z.array(opt.string()).default([]),
});

/** One swept config path. */
export interface SweptKey {
  /** The config path, `model.divergence.beta`. */
  readonly key: string;
  /** Where it is in the sweep file, `grid.model.divergence.beta` or `random.space.optimizer.lr`. */
  readonly where: string;
  /** Grid values, or the random distribution. */
  readonly values?: readonly unknown[];
  readonly distribution?: Distribution;
}

/** A parsed, checked sweep file. */
export interface SweepSpec {
  readonly file: string;
  readonly name?: string;
  /** The base config's path: relative to the working folder when inside it, else absolute. */
  readonly base: string;
  readonly metric: { readonly name: string; readonly goal: 'minimize' | 'maximize' };
  readonly grid: readonly SweptKey[];
  readonly random?: { readonly trials: number; readonly seed: number; readonly space: readonly SweptKey[] };
  readonly executor: string | ({ name: string } & Record<string, unknown>);
  readonly timeout?: number;
  readonly scheduler?: SchedulerSection;
  readonly plugins: readonly string[];
}

const relativePath = (p: string) => /^\.\.?\//.test(p);

/** A path as a person in the working folder would write it. */
function displayPath(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

/**
 * Reads and checks a sweep file: its shape, every config path, every random expression. Every
 * problem is reported at once, each as `<file>: <path in the sweep file>: <what is wrong>`.
 */
export async function readSweepFile(file: string): Promise<SweepSpec> {
  const raw = await readConfigFile(file);
  const r = validate(SweepFileSchema, raw, '');
  if (!r.ok) throw ConfigError.of(r.problems.map((p) => `${file}: ${p}`));
  const s = r.value;
  const problems: string[] = [];
  /** Runs a check; a ConfigError becomes a problem line (its message already names the path). */
  const attempt = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(`${file}: ${e.message}`);
      return undefined;
    }
  };
  const pathOk = (where: string, key: string) =>
    attempt(() => {
      try {
        return parsePath(key).length > 0;
      } catch (e) {
        throw new ConfigError(`${where}: not a config path (${(e as Error).message.replace(/^--set [^:]*: /, '')})`);
      }
    }) ?? false;
  const grid: SweptKey[] = Object.entries(s.grid ?? {}).flatMap(([key, values]) => (pathOk(`grid.${key}`, key) ? [{ key, where: `grid.${key}`, values }] : []));
  const space: SweptKey[] = Object.entries(s.random?.space ?? {}).flatMap(([key, expr]) => {
    const where = `random.space.${key}`;
    if (expr === null && /\)\s*$/.test(key)) return []; // the tail of an expression cut at a comma: reported with its head
    if (s.grid && key in s.grid) {
      problems.push(`${file}: ${where}: also swept by grid.${key}; sweep a config path in one place`);
      return [];
    }
    const distribution = attempt(() => parseDistribution(expr, where));
    return pathOk(where, key) && distribution ? [{ key, where, distribution }] : [];
  });
  if (!s.grid && !s.random) problems.push(`${file}: expected "grid", "random" or both (nothing is swept)`);
  if (problems.length) throw ConfigError.of(problems);
  const dir = dirname(resolve(file));
  return {
    file,
    ...(s.name ? { name: s.name } : {}),
    base: displayPath(resolve(dir, s.base)),
    metric: s.metric,
    grid,
    ...(s.random ? { random: { trials: s.random.trials, seed: s.random.seed, space } } : {}),
    executor: s.executor as SweepSpec['executor'],
    ...(s.timeout !== undefined ? { timeout: s.timeout } : {}),
    ...(s.scheduler ? { scheduler: s.scheduler } : {}),
    plugins: s.plugins.map((p) => (relativePath(p) ? resolve(dir, p) : p)),
  };
}
