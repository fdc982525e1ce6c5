import { readFileSync } from 'node:fs';
import { configPath, type ComponentTemplate } from './component-template.js';
import { divergenceTemplate, likelihoodTemplate, priorTemplate } from './model-templates.js';
import { decoderTemplate, encoderTemplate } from './network-templates.js';
import type { PluginKind, PluginNames } from './plugin-names.js';
import { datasetTemplate, metricTemplate, trackerTemplate } from './run-templates.js';

export const TEMPLATES: Readonly<Record<PluginKind, ComponentTemplate>> = {
  encoder: encoderTemplate,
  decoder: decoderTemplate,
  prior: priorTemplate,
  likelihood: likelihoodTemplate,
  divergence: divergenceTemplate,
  dataset: datasetTemplate,
  tracker: trackerTemplate,
  metric: metricTemplate,
};

type Deps = Record<string, string>;

/** The versions the workspace's own packages use (the runner depends on all of them). */
function workspaceVersions(): Deps {
  const read = (rel: string): { dependencies?: Deps; devDependencies?: Deps } => {
    try {
      return JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'));
    } catch {
      return {};
    }
  };
  const runner = read('../../package.json');
  const root = read('../../../../package.json');
  return {
    '@elbo/core': '0.1.0',
    '@elbo/compute': '0.1.0',
    '@tensorflow/tfjs-core': '4.22.0',
    inversify: '^8.2.3',
    zod: '^4.1.0',
    vitest: '^4.1.12',
    ...root.devDependencies,
    ...runner.devDependencies,
    ...runner.dependencies,
  };
}

const js = (tsFile: string) => `./${tsFile.replace(/\.ts$/, '.js')}`;

/** Every file of a new plugin package, by path relative to its folder; `root` is the workspace root, relative to it. */
export function pluginFiles(n: PluginNames, root = '../..'): Record<string, string> {
  const t = TEMPLATES[n.kind];
  const v = workspaceVersions();
  const pick = (names: string[]): Deps => Object.fromEntries(names.map((d) => [d, v[d]!]));
  const deps = ['@elbo/core', ...(t.usesLayers ? ['@elbo/compute'] : []), '@tensorflow/tfjs-core', 'inversify', 'zod'];
  const devDeps = [...(t.usesLayers ? [] : ['@elbo/compute']), 'vitest'];
  const pkg = {
    name: n.packageName,
    version: '0.1.0',
    description: `ELBO plugin: ${n.kind}/${n.component} — ${t.summary(n)}`,
    type: 'module',
    private: true,
    license: 'MIT',
    exports: { '.': './src/index.ts' },
    scripts: { test: `vitest run --root ${root} --project ${n.folder}`, typecheck: `tsc -p ${root}/tsconfig.json --noEmit` },
    nx: { tags: ['type:plugin'] },
    dependencies: pick(deps),
    devDependencies: pick(devDeps),
  };
  return {
    'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
    'README.md': readme(n, t, deps, devDeps, root),
    'src/index.ts': indexSource(n),
    [`src/${n.moduleFile}`]: moduleSource(n),
    [`src/${n.componentFile}`]: t.source(n),
    [`src/${n.specFile}`]: specSource(n, t),
  };
}

/** The manifest line of the module file, as `elbo new plugin` reports it. */
export function manifestLine(n: PluginNames): string {
  return `export const ${n.camel}Manifest: ComponentManifest = [${n.descriptor}];`;
}

function indexSource(n: PluginNames): string {
  return `export { ${n.camel}Module, ${n.camel}Manifest } from '${js(n.moduleFile)}';
export { ${n.descriptor}, ${n.camel}Options } from '${js(n.componentFile)}';
/** The runner loads a plugin named in a config's \`plugins\` through its default export. */
export { ${n.camel}Module as default } from '${js(n.moduleFile)}';
`;
}

function moduleSource(n: PluginNames): string {
  return `import { ContainerModule } from 'inversify';
import { ComponentContribution, type ComponentManifest } from '@elbo/core';
import { ${n.descriptor} } from '${js(n.componentFile)}';

/** Every component of ${n.packageName}. */
${manifestLine(n)}

/** The package's single ContainerModule: contributes the manifest, nothing else. */
export const ${n.camel}Module = new ContainerModule((o) => {
  o.bind(ComponentContribution).toConstantValue(${n.camel}Manifest);
});
`;
}

function specSource(n: PluginNames, t: ComponentTemplate): string {
  const core = [
    'ComponentRegistry',
    'ParameterStore',
    'Rng',
    'SilentLogger',
    ...t.specCoreImports.filter((x) => !x.startsWith('type ')),
    'type ModelShape',
    `type ${t.madeType}`,
    ...t.specCoreImports.filter((x) => x.startsWith('type ')),
  ];
  const path = configPath(n);
  return `import { beforeAll, describe, expect, it } from 'vitest';
${t.specImports.map((l) => `${l}\n`).join('')}import * as tf from '@tensorflow/tfjs-core';
import { Container } from 'inversify';
import { ${[...new Set(core)].join(', ')} } from '@elbo/core';
import { selectBackend } from '@elbo/compute';
import { ${n.camel}Module } from '${js(n.moduleFile)}';

beforeAll(async () => {
  await selectBackend('cpu');
});

/** What model components are built for: examples of 16 values, a 4-dimensional latent, a Gaussian likelihood. */
const shape: ModelShape = { dataShape: [16], dataDim: 16, latentDim: 4, conditionDim: 0, likelihoodParams: ['mean'], datasetSize: 100 };
${t.specDeclarations ?? ''}
function registry(): { container: Container; registry: ComponentRegistry } {
  const container = new Container();
  container.load(${n.camel}Module);
  return { container, registry: ComponentRegistry.fromContainer(container) };
}

describe('${n.packageName}', () => {
  it('loads into a fresh container and builds ${n.kind}/${n.component} with default options', async () => {
    const { container, registry: r } = registry();
    expect(r.list().map((d) => d.kind + '/' + d.name)).toEqual(['${n.kind}/${n.component}']);
    const resolved = r.resolve('${n.kind}', '${n.component}', '${path}');
    const before = tf.memory().numTensors;
    const params = new ParameterStore('${n.kind}');
    const made = await r.create<${t.madeType}>(resolved, { container, rng: new Rng(1), logger: new SilentLogger(), params, shape });
${t.specExercise(n)}
    params.dispose();
    expect(tf.memory().numTensors, 'no tensors left behind').toBe(before);
  });

  it('rejects an unknown option, naming its config path', () => {
    const r = registry().registry.check('${n.kind}', { name: '${n.component}', notAnOption: 1 }, '${path}');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.join('\\n')).toContain('${path}.notAnOption: unknown option');
  });
});
`;
}

function readme(n: PluginNames, t: ComponentTemplate, deps: string[], devDeps: string[], root: string): string {
  const why: Record<string, string> = {
    '@elbo/core': 'the component interfaces, `defineComponent`, `opt` (option schemas with errors that name the config path), `ComponentContribution`',
    '@elbo/compute': t.usesLayers ? 'the dense layers the component is built from' : 'the spec starts the CPU backend with `selectBackend`',
    '@tensorflow/tfjs-core': 'tensors and ops',
    inversify: 'the package’s `ContainerModule`',
    zod: 'the options schema',
    vitest: 'the spec',
  };
  const options = t.options.map((o) => `- \`${o.name}\`: ${o.type} (default \`${o.default}\`) — ${o.description}`).join('\n');
  return `# ${n.packageName}

An [ELBO](${root}/README.md) plugin. It contributes one component, **\`${n.kind}/${n.component}\`** — ${t.summary(n)}.

${t.about(n)}

## Use it

Once the package is in the workspace (\`npm install\` at the repository root links it into
\`node_modules\`), name it in a config:

\`\`\`yaml
plugins: ["${n.packageName}"]
${t.configSnippet(n)}
\`\`\`

\`npx elbo components --plugin ${n.packageName} --kind ${n.kind}\` lists it with its options, and
\`npx elbo schema --plugin ${n.packageName} --out elbo.schema.json\` adds it to the editor schema.

## Options

${options || '(none)'}

## Files

| file | content |
|---|---|
| \`src/index.ts\` | the public entry: the ContainerModule (default and named export), the manifest, the component |
| \`src/${n.moduleFile}\` | the manifest and the package's single ContainerModule, which binds it |
| \`src/${n.componentFile}\` | the component: options schema, implementation, descriptor |
| \`src/${n.specFile}\` | loads the module into a fresh container and builds the component with default options |

    npx vitest run --project ${n.folder}

## Dependencies

${[...deps, ...devDeps].map((d) => `- \`${d}\`${devDeps.includes(d) ? ' (dev)' : ''} — ${why[d]}`).join('\n')}
`;
}
