import { ConfigError } from '@elbo/core';

/** The kinds `elbo new plugin --kind` has a template for. */
export const PLUGIN_KINDS = ['encoder', 'decoder', 'prior', 'likelihood', 'divergence', 'dataset', 'tracker', 'metric'] as const;
export type PluginKind = (typeof PLUGIN_KINDS)[number];

/** Every name a new plugin's files use, derived from the one the user gave. */
export interface PluginNames {
  /** npm package name: `@elbo/<name>`, or the scoped name given. */
  readonly packageName: string;
  /** Folder name (the package name without its scope). */
  readonly folder: string;
  /** The component's registered name (`elbo-` prefix dropped): `divergence/<component>`. */
  readonly component: string;
  readonly kind: PluginKind;
  /** camelCase of the component name, for values: `betaKl`. */
  readonly camel: string;
  /** PascalCase of the component name, for classes: `BetaKl`. */
  readonly pascal: string;
  /** The descriptor's export, `betaKlDivergence`, and the class's, `BetaKlDivergence`. */
  readonly descriptor: string;
  readonly className: string;
  /** Source files under src/ (without `src/`). */
  readonly moduleFile: string;
  readonly componentFile: string;
  readonly specFile: string;
}

const PART = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const SCOPE = /^@[a-z0-9][a-z0-9._-]*$/;

/**
 * Reads `beta-kl` or `@acme/elbo-vamp-prior`. The name becomes a package, a folder, a component
 * name and identifiers, so it must be lower-case kebab-case starting with a letter.
 */
export function pluginNames(input: string, kind: PluginKind): PluginNames {
  const rule = 'lower-case letters, digits and single hyphens, starting with a letter (e.g. beta-kl, or @acme/elbo-vamp-prior)';
  const slash = input.indexOf('/');
  const scope = input.startsWith('@') ? input.slice(0, slash > 0 ? slash : undefined) : undefined;
  const folder = scope ? (slash > 0 ? input.slice(slash + 1) : '') : input;
  if (scope !== undefined && (slash < 0 || !SCOPE.test(scope))) throw new ConfigError(`new plugin: "${input}" is not a valid package name: a scope is "@" and ${rule}`);
  if (!PART.test(folder)) throw new ConfigError(`new plugin: "${input}" is not a valid plugin name: use ${rule}`);
  if (folder.length > 100) throw new ConfigError(`new plugin: "${input}" is too long (at most 100 characters)`);
  const component = folder.startsWith('elbo-') && folder.length > 5 ? folder.slice(5) : folder;
  const words = component.split('-');
  const pascal = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  const camel = pascal[0]!.toLowerCase() + pascal.slice(1);
  const kindPascal = kind[0]!.toUpperCase() + kind.slice(1);
  return {
    packageName: scope ? input : `@elbo/${folder}`,
    folder,
    component,
    kind,
    camel,
    pascal,
    descriptor: `${camel}${kindPascal}`,
    className: `${pascal}${kindPascal}`,
    moduleFile: `${folder}-module.ts`,
    componentFile: component.endsWith(`-${kind}`) || component === kind ? `${component}.ts` : `${component}-${kind}.ts`,
    specFile: `${folder}-module.spec.ts`,
  };
}
