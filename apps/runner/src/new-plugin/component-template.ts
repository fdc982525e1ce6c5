import type { PluginKind, PluginNames } from './plugin-names.js';

/** One option of a template's component: the zod builder, and what the README says of it. */
export interface OptionTemplate {
  readonly name: string;
  /** The zod expression, e.g. `opt.nonNegative().default(1)` (its `.describe()` is added). */
  readonly zod: string;
  readonly type: string;
  readonly default: string;
  readonly description: string;
}

/** What `elbo new plugin --kind <kind>` writes for the one component of the new package. */
export interface ComponentTemplate {
  readonly kind: PluginKind;
  /** The descriptor's one-line summary. */
  summary(n: PluginNames): string;
  /** What the component is and does, for the package README (Markdown). */
  about(n: PluginNames): string;
  readonly options: readonly OptionTemplate[];
  /** Whether the component is built from @elbo/compute's layers (a dependency then). */
  readonly usesLayers: boolean;
  /** The component's source file: its options, implementation and descriptor. */
  source(n: PluginNames): string;
  /** The type the component's factory makes (imported from @elbo/core in the spec). */
  readonly madeType: string;
  /** Extra imports of the spec (`@elbo/core` names, node modules). */
  readonly specCoreImports: readonly string[];
  readonly specImports: readonly string[];
  /** Declarations of the spec after `shape` (helpers the exercise uses). */
  readonly specDeclarations?: string;
  /** Statements of the spec that exercise `made`, the component built with default options. */
  specExercise(n: PluginNames): string;
  /** A config snippet that names the component (YAML, below `plugins:`). */
  configSnippet(n: PluginNames): string;
}

/** A single-quoted TypeScript string literal. */
export function q(s: string): string {
  return `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** The options schema block of a component source. */
export function optionsBlock(n: PluginNames, options: readonly OptionTemplate[]): string {
  const lines = options.map((o) => `    ${o.name}: ${o.zod}.describe(${q(o.description)}),`);
  return [
    `/** Options of \`${n.kind}/${n.component}\`, checked (defaults filled in) before anything is built. */`,
    `export const ${n.camel}Options = z`,
    '  .object({',
    ...lines,
    '  })',
    '  .strict();',
  ].join('\n');
}

/** Where a config names a component of each kind. */
export function configPath(n: PluginNames): string {
  switch (n.kind) {
    case 'dataset':
      return 'data';
    case 'tracker':
      return `tracking.${n.component}`;
    case 'metric':
      return `eval.metrics.${n.component}`;
    default:
      return `model.${n.kind}`;
  }
}
