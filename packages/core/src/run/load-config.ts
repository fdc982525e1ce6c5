import { readFile } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError } from '../config/config-error.js';
import { show } from '../config/options.js';

/** Splits `a.b[2].c` into ['a', 'b', 2, 'c']. */
export function parsePath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m || (!m[1] && !m[2])) throw new ConfigError(`--set ${path}: "${part}" is not a valid path segment`);
    if (m[1]) out.push(m[1]);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/**
 * Applies one `--set a.b=c` override. The value is read as YAML, so `3`, `1e-3`, `true`,
 * `[400, 400]` and `{name: mlp}` have their natural types; intermediate objects are created.
 */
export function applyOverride(config: Record<string, unknown>, assignment: string): void {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new ConfigError(`--set ${assignment}: expected path=value, e.g. --set optimizer.lr=3e-4`);
  const path = parsePath(assignment.slice(0, eq).trim());
  const raw = assignment.slice(eq + 1);
  let value: unknown;
  try {
    value = raw === '' ? '' : parseYaml(raw);
  } catch {
    value = raw;
  }
  let node: Record<string | number, unknown> = config;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    let next = node[key];
    if (typeof next === 'string' && typeof path[i + 1] === 'string') next = { name: next }; // `likelihood: bernoulli` → section
    if (next === undefined || next === null || next === false) next = typeof path[i + 1] === 'number' ? [] : {};
    if (typeof next !== 'object') throw new ConfigError(`--set ${assignment}: ${path.slice(0, i + 1).join('.')} is ${show(next)}, not a section`);
    node[key] = next;
    node = next as Record<string | number, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/** Reads a YAML or JSON config file into plain data, with errors that name the file and line. */
export async function readConfigFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, expected a YAML or JSON config file' : (e as Error).message;
    throw new ConfigError(`${file}: ${why}`);
  }
  let data: unknown;
  try {
    data = parseYaml(text, { prettyErrors: true });
  } catch (e) {
    if (e instanceof YAMLParseError) {
      const pos = e.linePos?.[0];
      throw new ConfigError(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: invalid YAML: ${e.message.split('\n')[0]}`);
    }
    throw e;
  }
  if (data === null || data === undefined) data = {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new ConfigError(`${file}: expected a mapping of config sections at the top level, got ${show(data)}`);
  return data as Record<string, unknown>;
}

/**
 * Loads a config file, following `extends: other.yaml` (relative to the file; later keys win,
 * sections merge deeply), then applies `--set` overrides in order.
 */
export async function loadConfig(file: string, overrides: readonly string[] = [], seen: string[] = []): Promise<Record<string, unknown>> {
  const abs = resolvePath(file);
  if (seen.includes(abs)) throw new ConfigError(`${file}: "extends" forms a cycle (${[...seen, abs].join(' → ')})`);
  const data = await readConfigFile(file);
  let merged = data;
  if (data['extends'] !== undefined) {
    if (typeof data['extends'] !== 'string') throw new ConfigError(`${file}: extends: expected a file name, got ${show(data['extends'])}`);
    const base = await loadConfig(resolvePath(dirname(abs), data['extends']), [], [...seen, abs]);
    const { extends: _ignored, ...rest } = data;
    merged = deepMerge(base, rest);
  }
  for (const o of overrides) applyOverride(merged, o);
  return merged;
}

/**
 * Merges `over` into `base`: mappings merge key by key, anything else is replaced. A component
 * section that names a different component (`name` differs) replaces the base section whole,
 * since the old component's options mean nothing to the new one.
 */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    const otherComponent = isPlain(b) && isPlain(v) && 'name' in v && v['name'] !== b['name'];
    out[k] = isPlain(b) && isPlain(v) && !otherComponent ? deepMerge(b, v) : v;
  }
  return out;
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Flattens a resolved config to dotted keys (`model.encoder.hidden` → "[400,400]") for params. */
export function flattenConfig(obj: unknown, prefix = '', out: Record<string, string | number | boolean | null> = {}): Record<string, string | number | boolean | null> {
  if (isPlain(obj)) {
    for (const [k, v] of Object.entries(obj)) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (Array.isArray(obj)) {
    out[prefix] = JSON.stringify(obj);
  } else if (obj === undefined) {
    // omitted
  } else {
    out[prefix] = obj as string | number | boolean | null;
  }
  return out;
}
