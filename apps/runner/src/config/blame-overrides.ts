import { ConfigError } from '@elbo/core';

const pathOf = (assignment: string) => assignment.slice(0, Math.max(0, assignment.indexOf('='))).trim();

/** Whether two dotted config paths are the same or one lies inside the other. */
export const overlaps = (a: string, b: string): boolean => a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`) || b.startsWith(`${a}.`) || b.startsWith(`${a}[`);

/**
 * Puts the blame for a config problem where the value came from: a problem at (or inside, or
 * around) the path of a `--set` override is reported against that override, the last one that
 * touched it (`--set train.epochs=minus: expected a positive integer, got "minus"`); any other
 * problem stays with the config file (`<file>: <path>: …`).
 */
export function blameOverrides(problems: readonly string[], file: string, overrides: readonly string[]): string[] {
  const prefix = `${file}: `;
  return problems.map((line) => {
    if (!line.startsWith(prefix)) return line;
    const p = line.slice(prefix.length);
    const colon = p.indexOf(': ');
    const path = colon > 0 ? p.slice(0, colon) : '';
    const override = path ? [...overrides].reverse().find((o) => pathOf(o) && overlaps(path, pathOf(o))) : undefined;
    if (override === undefined) return line;
    return path === pathOf(override) ? `--set ${override}: ${p.slice(colon + 2)}` : `--set ${override}: ${p}`;
  });
}

/** Runs `fn`; a ConfigError it throws comes back with its problems blamed on the overrides that caused them. */
export function withOverridesBlamed<T>(file: string, overrides: readonly string[], fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof ConfigError) || !overrides.length) throw e;
    throw ConfigError.of(blameOverrides(e.problems, file, overrides));
  }
}
