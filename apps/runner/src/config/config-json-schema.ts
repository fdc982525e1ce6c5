import { z } from 'zod';
import { RunConfigSchema, type ComponentDescriptor, type ComponentRegistry } from '@elbo/core';

/** A JSON Schema document or sub-schema, as plain data. */
export type JsonSchema = { [keyword: string]: unknown };

/** The draft the schema is written in: the one editors' YAML and JSON support validates best. */
export const CONFIG_SCHEMA_DRAFT = 'http://json-schema.org/draft-07/schema#';

/** The run config's sections that name one component, and the kind they name. */
const SECTIONS: readonly { readonly path: readonly string[]; readonly kind: string; readonly description: string; readonly unnamed?: string }[] = [
  { path: ['data'], kind: 'dataset', description: 'the dataset: its name, or { name, ...options }' },
  { path: ['model', 'condition'], kind: 'condition', description: 'conditional models: how the condition c is made from the data (absent: unconditional)' },
  { path: ['model', 'encoder'], kind: 'encoder', description: 'q(z|x[, c]): its name, or { name, ...options }' },
  { path: ['model', 'decoder'], kind: 'decoder', description: 'the network of p(x|z[, c]): its name, or { name, ...options }' },
  { path: ['model', 'prior'], kind: 'prior', description: 'p(z[|c]): its name, or { name, ...options }' },
  { path: ['model', 'likelihood'], kind: 'likelihood', description: 'p(x | decoder output), the reconstruction term: its name, or { name, ...options }' },
  { path: ['model', 'divergence'], kind: 'divergence', description: 'the regulariser (KL, β, capacity, FactorVAE, β-TCVAE…): its name, or { name, ...options }' },
  { path: ['train', 'schedule'], kind: 'schedule', description: 'multiplies the divergence by a factor over optimisation steps (KL warm-up)' },
  // A section without `name` holds Adam's options (`optimizer: { lr: 3e-4 }`).
  { path: ['optimizer'], kind: 'optimizer', unnamed: 'adam', description: 'the optimiser: its name, or { name, ...options }; without a name, Adam’s options' },
];

/** Sections keyed by component name (`tracking.<tracker>`, `eval.metrics.<metric>`). */
const KEYED: readonly { readonly path: readonly string[]; readonly kind: string; readonly orFalse: boolean; readonly description: string }[] = [
  { path: ['tracking'], kind: 'tracker', orFalse: true, description: 'trackers by name: their options, or false to turn a default one off' },
  { path: ['eval', 'metrics'], kind: 'metric', orFalse: false, description: 'options of `metric/<name>` components for `elbo eval --metrics <name>,…`, by name' },
];

/** Descriptions of the run config's own fields (its zod schema carries them as comments only). */
export const CONFIG_FIELD_DOCS: Readonly<Record<string, string>> = {
  experiment: 'experiment name: runs go to <runs>/<experiment>/<run-id>/',
  name: 'human-readable run name (default: the run id)',
  seed: 'same seed and backend ⇒ same metric history',
  backend: 'compute backend: auto picks node (tfjs-node) when it loads, else wasm, else cpu',
  plugins: 'packages (or ./paths, relative to this file) that contribute components; each exports a ContainerModule',
  runs: 'folder the run folders go to',
  model: 'the model: latent size and its components',
  'model.latent': 'dimensions of the latent code z',
  train: 'the training loop',
  'train.epochs': 'passes over the training split',
  'train.batchSize': 'examples per optimisation step',
  'train.stepsPerEpoch': 'cap on optimisation steps per epoch (large datasets); default: the whole split',
  'train.readEvery': 'steps between read-backs of the running losses for the progress display',
  'train.workers': 'data-parallel worker threads on the wasm and cpu backends (1: train in the main thread)',
  'train.checkpointEvery': 'epochs between checkpoints',
  eval: 'the held-out evaluation at the end of a run',
  'eval.k': 'importance samples for the IWAE estimate of −log p(x) (0: skip)',
  'eval.batchSize': 'examples per evaluation batch',
  'eval.limit': 'evaluate on the first N test examples only (default: all)',
};

/** A section naming a component must name it (in a complete config, i.e. one without `extends`). */
const NAMED: JsonSchema = { if: { type: 'object' }, then: { type: 'object', required: ['name'] } };

/**
 * The JSON Schema (draft-07) of a whole run config as `registry` knows it: the run config's own
 * fields, and every component section as the choice of the registered components of its kind —
 * a bare name, or `{ name: <const>, ...that component's options }` with their types, defaults and
 * descriptions — so an editor completes names and options and flags a misspelt name or option.
 *
 * A file with `extends` is a partial config: the schema then checks what it holds but requires
 * nothing (not even a section's `name`, since sections merge with the base file's).
 */
export function configJsonSchema(registry: ComponentRegistry): JsonSchema {
  const definitions: Record<string, JsonSchema> = {};
  const root = toJson(RunConfigSchema, 'run-config', definitions);
  for (const [path, text] of Object.entries(CONFIG_FIELD_DOCS)) {
    const node = fieldAt(root, path.split('.'));
    if (node && node['description'] === undefined) node['description'] = text;
  }
  // Requirements hold for complete configs only: move them to the `else` of `if extends`.
  const complete: JsonSchema = splitRequired(root) ?? {};
  for (const s of SECTIONS) {
    // Kinds no module contributes keep the run config's own schema (optimizer before it was a component).
    if (s.unnamed !== undefined && !registry.list(s.kind).length) continue;
    const parent = fieldAt(root, s.path.slice(0, -1));
    const key = s.path[s.path.length - 1]!;
    const props = parent?.['properties'] as Record<string, JsonSchema> | undefined;
    if (!props?.[key]) throw new Error(`configJsonSchema: the run config has no section ${s.path.join('.')}`);
    const was = props[key];
    props[key] = {
      description: s.description,
      ...(was['default'] !== undefined ? { default: was['default'] } : s.unnamed !== undefined ? { default: s.unnamed } : {}),
      ...sectionSchema(registry, s.kind, definitions),
    };
    let node = complete;
    for (const p of s.path.slice(0, -1)) node = ((node['properties'] ??= {}) as Record<string, JsonSchema>)[p] ??= { type: 'object' };
    ((node['properties'] ??= {}) as Record<string, JsonSchema>)[key] = s.unnamed !== undefined ? unnamedAs(registry, s.kind, s.unnamed, definitions) : NAMED;
  }
  for (const s of KEYED) {
    const node = fieldAt(root, s.path);
    if (!node) throw new Error(`configJsonSchema: the run config has no section ${s.path.join('.')}`);
    const byName: Record<string, JsonSchema> = {};
    for (const d of registry.list(s.kind)) {
      const options = describeComponent(d, toJson(d.options, `${d.kind}.${d.name}`, definitions));
      byName[d.name] = s.orFalse ? { anyOf: [options, { const: false, description: `turn the ${d.kind} off` }] } : options;
    }
    delete node['propertyNames'];
    node['description'] = s.description;
    node['properties'] = byName;
    node['additionalProperties'] = false;
  }
  const { $schema: _draft, properties, ...rest } = root;
  return {
    $schema: CONFIG_SCHEMA_DRAFT,
    title: 'ELBO run config',
    description: 'A run config for `elbo train` (YAML or JSON). Generated by `elbo schema` from the registered components.',
    ...rest,
    properties: {
      extends: { type: 'string', description: 'a config file this one starts from (relative to this file): later keys win, mappings merge' },
      ...(properties as Record<string, JsonSchema>),
    },
    if: { type: 'object', required: ['extends'] },
    else: { type: 'object', ...complete },
    ...(Object.keys(definitions).length ? { definitions } : {}),
  };
}

/** One section: the name of a component of `kind`, or `{ name, ...options }` of one of them. */
function sectionSchema(registry: ComponentRegistry, kind: string, definitions: Record<string, JsonSchema>): JsonSchema {
  const list = registry.list(kind);
  if (!list.length) return { not: {}, description: `no ${kind} components are registered` };
  return {
    anyOf: [
      { type: 'string', enum: list.map((d) => d.name), description: `the name of the ${kind}; its options take their defaults` },
      ...list.map((d) => describeComponent(d, withName(toJson(d.options, `${d.kind}.${d.name}`, definitions), { const: d.name, description: d.summary }))),
    ],
  };
}

/** In a complete config, a section without `name` holds the options of the component `name`. */
function unnamedAs(registry: ComponentRegistry, kind: string, name: string, definitions: Record<string, JsonSchema>): JsonSchema {
  if (!registry.has(kind, name)) return NAMED;
  const d = registry.get(kind, name);
  return { if: { type: 'object', not: { required: ['name'] } }, then: describeComponent(d, toJson(d.options, `${d.kind}.${d.name}`, definitions)) };
}

function describeComponent(d: ComponentDescriptor, schema: JsonSchema): JsonSchema {
  return { title: `${d.kind}/${d.name}`, description: d.summary, ...schema };
}

/** Adds the `name` property to an options schema (to each branch of a union). */
function withName(schema: JsonSchema, name: JsonSchema): JsonSchema {
  for (const union of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(schema[union])) return { ...schema, [union]: (schema[union] as JsonSchema[]).map((b) => withName(b, name)) };
  }
  if (Object.keys(schema).length === 0) return { type: 'object', properties: { name } };
  // The section's `name` is the component's; an option called `name` cannot be given in a config.
  const { name: _shadowed, ...options } = (schema['properties'] as Record<string, JsonSchema> | undefined) ?? {};
  return { ...schema, properties: { name, ...options } };
}

/**
 * A zod schema as draft-07 JSON Schema of what a user writes (`io: input`: options with defaults
 * are optional). Its own definitions move to the shared `definitions` under `prefix.`, and its
 * references are rewritten to match, so many schemas can live in one document.
 */
function toJson(schema: z.ZodType, prefix: string, definitions: Record<string, JsonSchema>): JsonSchema {
  let json: JsonSchema;
  try {
    json = z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as JsonSchema;
  } catch (e) {
    return { description: `(options not expressible as JSON Schema: ${(e as Error).message.split('\n')[0]})` };
  }
  delete json['$schema'];
  const own = (json['definitions'] ?? {}) as Record<string, JsonSchema>;
  delete json['definitions'];
  const selfRef = JSON.stringify(json).includes('"$ref":"#"');
  const target = (ref: string): string => {
    if (ref === '#') return `#/definitions/${pointer(prefix)}`;
    const m = /^#\/definitions\/(.+)$/.exec(ref);
    return m ? `#/definitions/${pointer(`${prefix}.${unpointer(m[1]!)}`)}` : ref;
  };
  const rewrite = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === '$ref' && typeof x === 'string' ? target(x) : rewrite(x)]));
    return v;
  };
  for (const [k, d] of Object.entries(own)) definitions[`${prefix}.${k}`] = rewrite(d) as JsonSchema;
  const out = rewrite(json) as JsonSchema;
  if (selfRef) {
    definitions[prefix] = out;
    return { $ref: `#/definitions/${pointer(prefix)}` };
  }
  return out;
}

const pointer = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');
const unpointer = (key: string) => key.replaceAll('~1', '/').replaceAll('~0', '~');

/** The schema of the field at `path` (through `properties`), or undefined. */
function fieldAt(root: JsonSchema, path: readonly string[]): JsonSchema | undefined {
  let node: JsonSchema | undefined = root;
  for (const p of path) node = (node?.['properties'] as Record<string, JsonSchema> | undefined)?.[p];
  return node;
}

/** Removes every `required` of the object fields, returning them in the same shape. */
function splitRequired(node: JsonSchema): JsonSchema | undefined {
  const out: JsonSchema = {};
  if (Array.isArray(node['required'])) {
    out['required'] = node['required'];
    delete node['required'];
  }
  for (const [key, child] of Object.entries((node['properties'] ?? {}) as Record<string, JsonSchema>)) {
    if (child['type'] !== 'object') continue;
    const sub = splitRequired(child);
    if (sub) ((out['properties'] ??= {}) as Record<string, JsonSchema>)[key] = { type: 'object', ...sub };
  }
  return Object.keys(out).length ? out : undefined;
}
