import { parse as parseYaml } from 'yaml';
import { ConfigError, nearest, show } from '@elbo/core';

/** One dimension of a random search space: draws a value from a uniform number `u` in [0, 1). */
export interface Distribution {
  /** The expression as written, normalised: `loguniform(0.0001, 0.003)`. */
  readonly text: string;
  /** Whether values are best plotted on a log axis. */
  readonly logScale: boolean;
  draw(u: number): unknown;
}

type Maker = (args: readonly unknown[], where: string) => Distribution;

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function numbers(fn: string, args: readonly unknown[], where: string, check: (a: number, b: number) => string | undefined): [number, number] {
  const [a, b] = args;
  if (args.length !== 2 || !isNumber(a) || !isNumber(b)) throw new ConfigError(`${where}: ${fn}(a, b) takes two numbers, got ${fn}(${args.map(show).join(', ')})`);
  const problem = check(a, b);
  if (problem) throw new ConfigError(`${where}: ${fn}(${a}, ${b}): ${problem}`);
  return [a, b];
}

/**
 * The expressions a random search space understands. Every draw uses one uniform number u:
 * - `uniform(a, b)`: a + u·(b − a), a real number in [a, b);
 * - `loguniform(a, b)`: exp(log a + u·(log b − log a)), for 0 < a < b (learning rates, β);
 * - `randint(a, b)`: an integer in [a, b], both ends included (as Python's random.randint);
 * - `choice(v1, v2, …)`: one of the values, each equally likely; values are read as YAML, so
 *   `choice(8, 16)`, `choice(relu, softplus)` and `choice([300, 300], [400])` all work.
 */
const MAKERS: Readonly<Record<string, Maker>> = {
  uniform: (args, where) => {
    const [a, b] = numbers('uniform', args, where, (x, y) => (x < y ? undefined : 'expected a < b'));
    return { text: `uniform(${a}, ${b})`, logScale: false, draw: (u) => a + u * (b - a) };
  },
  loguniform: (args, where) => {
    const [a, b] = numbers('loguniform', args, where, (x, y) => (x > 0 && x < y ? undefined : 'expected 0 < a < b'));
    const la = Math.log(a);
    const lb = Math.log(b);
    return { text: `loguniform(${a}, ${b})`, logScale: true, draw: (u) => Math.exp(la + u * (lb - la)) };
  },
  randint: (args, where) => {
    const [a, b] = numbers('randint', args, where, (x, y) => (!Number.isInteger(x) || !Number.isInteger(y) ? 'expected integers' : x <= y ? undefined : 'expected a ≤ b'));
    return { text: `randint(${a}, ${b})`, logScale: false, draw: (u) => a + Math.floor(u * (b - a + 1)) };
  },
  choice: (args, where) => {
    if (args.length === 0) throw new ConfigError(`${where}: choice(…) needs at least one value`);
    const values = [...args];
    return { text: `choice(${values.map((v) => JSON.stringify(v)).join(', ')})`, logScale: false, draw: (u) => structuredClone(values[Math.floor(u * values.length)]) };
  },
};

export const DISTRIBUTIONS: readonly string[] = Object.keys(MAKERS);

const EXPECTED = 'expected loguniform(a, b), uniform(a, b), randint(a, b) or choice(v1, v2, …)';

/** Parses one search-space expression (`loguniform(1e-4, 3e-3)`); errors name `where`, the sweep file path. */
export function parseDistribution(expression: unknown, where: string): Distribution {
  if (typeof expression !== 'string') throw new ConfigError(`${where}: ${EXPECTED}, got ${show(expression)}`);
  const m = /^\s*([A-Za-z_][\w-]*)\s*\(([\s\S]*)\)\s*$/.exec(expression);
  if (!m && /\([^)]*$/.test(expression))
    throw new ConfigError(`${where}: ${show(expression)} is cut at a comma: inside { … } quote an expression, "choice(8, 16)", or write the space one path per line`);
  if (!m) throw new ConfigError(`${where}: ${EXPECTED}, got ${show(expression)}`);
  const fn = m[1]!;
  const maker = MAKERS[fn];
  if (!maker) {
    const hint = nearest(fn, DISTRIBUTIONS);
    throw new ConfigError(`${where}: unknown expression "${fn}(…)"${hint ? ` — did you mean "${hint}"?` : ` (${EXPECTED})`}`);
  }
  let args: unknown;
  try {
    args = parseYaml(`[${m[2]}]`);
  } catch (e) {
    throw new ConfigError(`${where}: cannot read the arguments of ${show(expression)}: ${(e as Error).message.split('\n')[0]}`);
  }
  return maker(args as unknown[], where);
}
