import { ACTIVATIONS, type Activation } from '@elbo/compute';
import { z } from 'zod';
import { nearest } from '../registry/suggest.js';

/** Renders a value the way a user wrote it, for "expected …, got …" messages. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'nothing';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v); // NaN, Infinity: JSON says null
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

type Iss = { input?: unknown };
const expected = (what: string) => (iss: Iss) => `expected ${what}, got ${show(iss.input)}`;

/** Option builders with messages a researcher can act on (`expected a positive integer, got -3`). */
export const opt = {
  positiveInt: () => {
    const e = expected('a positive integer');
    return z.number({ error: e }).int({ error: e }).positive({ error: e });
  },
  nonNegativeInt: () => {
    const e = expected('a non-negative integer');
    return z.number({ error: e }).int({ error: e }).nonnegative({ error: e });
  },
  positive: () => {
    const e = expected('a positive number');
    return z.number({ error: e }).positive({ error: e });
  },
  nonNegative: () => {
    const e = expected('a number ≥ 0');
    return z.number({ error: e }).nonnegative({ error: e });
  },
  range: (min: number, max: number) => {
    const e = expected(`a number in [${min}, ${max}]`);
    return z.number({ error: e }).min(min, { error: e }).max(max, { error: e });
  },
  number: () => z.number({ error: expected('a number') }),
  string: () => z.string({ error: expected('a string') }),
  boolean: () => z.boolean({ error: expected('true or false') }),
  oneOf: <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: expected(`one of ${values.map((v) => JSON.stringify(v)).join(', ')}`) }),
  /** A list of positive integers (layer widths). */
  widths: () => z.array(opt.positiveInt(), { error: expected('a list of positive integers') }),
};

function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(root)';
}

type Def = { type?: string; shape?: Record<string, unknown>; element?: unknown; innerType?: unknown; in?: unknown };

/** Unwraps defaults, optionals, pipes (transforms) and the like down to the schema that holds keys. */
function unwrap(s: unknown): Def | undefined {
  let def = (s as { def?: Def })?.def;
  for (let i = 0; def && i < 20; i++) {
    if (def.type === 'default' || def.type === 'prefault' || def.type === 'optional' || def.type === 'nullable' || def.type === 'readonly' || def.type === 'catch')
      def = (def.innerType as { def?: Def })?.def;
    else if (def.type === 'pipe') def = (def.in as { def?: Def })?.def;
    else break;
  }
  return def;
}

/** Looks up the object schema at `path` to suggest names for unknown keys. */
function shapeAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let def = unwrap(schema);
  for (const p of path) {
    if (def?.type === 'object' && typeof p === 'string') def = unwrap(def.shape?.[p]);
    else if (def?.type === 'array') def = unwrap(def.element);
    else return [];
  }
  return def?.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}

/** Turns zod issues into `config.path: problem` lines. */
export function formatIssues(error: z.ZodError, prefix: string, schema?: z.ZodType): string[] {
  const lines: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = schema ? shapeAt(schema, issue.path) : [];
      for (const key of issue.keys) {
        const hint = nearest(key, known);
        const where = formatPath(prefix, [...issue.path, key]);
        lines.push(`${where}: unknown option${hint ? ` — did you mean "${hint}"?` : known.length ? ` (known: ${known.join(', ')})` : ''}`);
      }
      continue;
    }
    let message = issue.message;
    if (issue.code === 'invalid_type' && message.startsWith('Invalid input')) {
      message = `expected ${issue.expected}, got ${show((issue as { input?: unknown }).input)}`;
    }
    lines.push(`${formatPath(prefix, issue.path)}: ${message}`);
  }
  return lines;
}

/** Validates `value` against `schema`, returning the parsed value (defaults filled in) or problem lines. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, prefix: string): { ok: true; value: z.output<S> } | { ok: false; problems: string[] } {
  const r = schema.safeParse(value, { reportInput: true });
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, problems: formatIssues(r.error, prefix, schema) };
}

/** The `activation` option of the networks: one of compute's activations. */
export const activationOption = () => opt.oneOf(ACTIVATIONS as unknown as [Activation, ...Activation[]]);
