import { z } from 'zod';
import { ConfigError, nearest, type ComponentDescriptor, type ComponentRegistry } from '@elbo/core';
import { setup } from '../setup.js';

interface OptionDoc {
  name: string;
  required: boolean;
  type: string;
  default?: string;
  description?: string;
}

function typeOf(s: Record<string, unknown>): string {
  if (Array.isArray(s['type'])) return (s['type'] as string[]).join(' | ');
  if (Array.isArray(s['enum'])) return (s['enum'] as unknown[]).map((v) => JSON.stringify(v)).join(' | ');
  if (Array.isArray(s['anyOf'])) return (s['anyOf'] as Record<string, unknown>[]).map(typeOf).join(' | ');
  if (s['type'] === 'array') return `${typeOf((s['items'] as Record<string, unknown>) ?? {})}[]`;
  if (s['type'] === 'integer') return s['exclusiveMinimum'] === 0 ? 'positive integer' : s['minimum'] === 0 ? 'integer ≥ 0' : 'integer';
  if (s['type'] === 'number') {
    const lo = s['minimum'] ?? s['exclusiveMinimum'];
    const hi = s['maximum'];
    if (lo !== undefined && hi !== undefined) return `number in [${lo}, ${hi}]`;
    if (s['exclusiveMinimum'] === 0) return 'number > 0';
    if (s['minimum'] === 0) return 'number ≥ 0';
    return 'number';
  }
  if (s['type'] === 'null') return 'null';
  if (s['type'] === 'object') return 'object';
  return String(s['type'] ?? 'any');
}

/** Options of a component, read from its zod schema (names, types, defaults). */
export function describeOptions(d: ComponentDescriptor): OptionDoc[] {
  const json = z.toJSONSchema(d.options, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    required: required.has(name),
    type: typeOf(s),
    default: s['default'] !== undefined ? JSON.stringify(s['default']) : undefined,
    description: typeof s['description'] === 'string' ? s['description'] : undefined,
  }));
}

function suffix(o: OptionDoc): string {
  if (o.default !== undefined) return ` (default \`${o.default}\`)`;
  return o.required ? ' (required)' : ' (optional)';
}

/** The component reference as Markdown (used for the README's config reference). */
export function componentsMarkdown(registry: ComponentRegistry): string {
  const out: string[] = [];
  for (const kind of registry.kinds()) {
    out.push(`### ${kind}`, '');
    for (const d of registry.list(kind)) {
      out.push(`- **\`${d.kind}/${d.name}\`** — ${d.summary}`);
      for (const o of describeOptions(d)) out.push(`  - \`${o.name}\`: ${o.type}${suffix(o)}${o.description ? ` — ${o.description}` : ''}`);
    }
    out.push('');
  }
  return out.join('\n');
}

export function componentsText(registry: ComponentRegistry, kind?: string): string {
  if (kind !== undefined && !registry.kinds().includes(kind)) {
    const hint = nearest(kind, registry.kinds());
    throw new ConfigError(`--kind ${kind}: no such kind${hint ? ` — did you mean "${hint}"?` : ''} (kinds: ${registry.kinds().join(', ')})`);
  }
  const out: string[] = [];
  for (const d of registry.list(kind)) {
    out.push(`${d.kind}/${d.name}  — ${d.summary}`);
    const opts = describeOptions(d);
    if (!opts.length) out.push('    (no options)');
    for (const o of opts)
      out.push(
        `    ${o.name}: ${o.type}${o.default !== undefined ? `  = ${o.default}` : o.required ? '  (required)' : '  (optional)'}${o.description ? `  — ${o.description}` : ''}`,
      );
  }
  return out.join('\n') + '\n';
}

/** `elbo components [--kind k] [--markdown]`: every registered component with its options and defaults. */
export async function componentsCommand(args: { kind?: string; markdown: boolean; plugin: string[] }): Promise<number> {
  const { registry } = await setup(args.plugin);
  process.stdout.write(args.markdown ? componentsMarkdown(registry) : componentsText(registry, args.kind));
  return 0;
}
