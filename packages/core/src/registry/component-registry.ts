import type { Container } from 'inversify';
import { ConfigError } from '../config/config-error.js';
import { show, validate } from '../config/options.js';
import { ComponentContribution, type BuildContext, type ComponentDescriptor, type ComponentManifest } from './component.js';
import { nearest } from './suggest.js';

/** A config section naming a component: `{ name: "mlp", hidden: [400] }`, or just `"mlp"`. */
export type ComponentSection = string | ({ name: string } & Record<string, unknown>);

export interface ResolvedSection {
  readonly descriptor: ComponentDescriptor;
  /** Validated options, defaults filled in (without `name`). */
  readonly options: Record<string, unknown>;
}

/**
 * Every component contributed to a container, keyed by kind and name. Built from all manifests
 * bound to ComponentContribution; names resolve here and nowhere else.
 */
export class ComponentRegistry {
  private readonly byKind = new Map<string, Map<string, ComponentDescriptor>>();

  constructor(manifests: readonly ComponentManifest[]) {
    for (const manifest of manifests) {
      for (const d of manifest) {
        let m = this.byKind.get(d.kind);
        if (!m) this.byKind.set(d.kind, (m = new Map()));
        if (m.has(d.name)) throw new Error(`component ${d.kind}/${d.name} is contributed twice`);
        m.set(d.name, d);
      }
    }
  }

  static fromContainer(container: Container): ComponentRegistry {
    return new ComponentRegistry(container.getAll<ComponentManifest>(ComponentContribution));
  }

  kinds(): string[] {
    return [...this.byKind.keys()].sort();
  }

  list(kind?: string): ComponentDescriptor[] {
    const kinds = kind ? [kind] : this.kinds();
    return kinds.flatMap((k) => [...(this.byKind.get(k)?.values() ?? [])].sort((a, b) => a.name.localeCompare(b.name)));
  }

  has(kind: string, name: string): boolean {
    return this.byKind.get(kind)?.has(name) ?? false;
  }

  get(kind: string, name: string, path = kind): ComponentDescriptor {
    const d = this.byKind.get(kind)?.get(name);
    if (d) return d;
    const names = [...(this.byKind.get(kind)?.keys() ?? [])];
    const hint = nearest(name, names);
    const tail = hint ? ` — did you mean "${hint}"?` : names.length ? ` (available: ${names.join(', ')})` : ` (no ${kind} components are registered)`;
    throw new ConfigError(`${path}: unknown ${kind} "${name}"${tail}`);
  }

  /** Checks a section; returns the problems instead of throwing so callers can report them all. */
  check(kind: string, section: unknown, path: string): { ok: true; value: ResolvedSection } | { ok: false; problems: string[] } {
    let name: unknown;
    let rest: Record<string, unknown> = {};
    if (typeof section === 'string') name = section;
    else if (section && typeof section === 'object' && !Array.isArray(section)) {
      ({ name, ...rest } = section as Record<string, unknown>);
    } else {
      return { ok: false, problems: [`${path}: expected a ${kind} section ({ name: ..., options }) or a ${kind} name, got ${show(section)}`] };
    }
    if (typeof name !== 'string' || !name) {
      return { ok: false, problems: [`${path}.name: expected the name of a ${kind}, got ${show(name)}`] };
    }
    let descriptor: ComponentDescriptor;
    try {
      descriptor = this.get(kind, name, `${path}.name`);
    } catch (e) {
      return { ok: false, problems: [(e as Error).message] };
    }
    const r = validate(descriptor.options, rest, path);
    if (!r.ok) return r;
    return { ok: true, value: { descriptor, options: r.value as Record<string, unknown> } };
  }

  resolve(kind: string, section: unknown, path: string): ResolvedSection {
    const r = this.check(kind, section, path);
    if (!r.ok) throw ConfigError.of(r.problems);
    return r.value;
  }

  async create<T>(resolved: ResolvedSection, ctx: BuildContext): Promise<T> {
    return (await resolved.descriptor.create(resolved.options, ctx)) as T;
  }
}
