import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import type { createContainer } from '@elbo/core';

/** A package's ContainerModule for the page: where it is imported from and under which export. */
export interface PageModule {
  /** A package name or an absolute path, resolved from `resolveDir`. */
  readonly specifier: string;
  /** The export holding the ContainerModule (`modelsVaeModule`, `default`, `elboModule`). */
  readonly exportName: string;
  /** The ContainerModule itself, as Node loaded it: which components it contributes. */
  readonly module: Parameters<typeof createContainer>[0][number];
}

/** A Node-only module that code bundled into the page imports. */
export interface NodeImport {
  /** The module (`node:fs`, `pngjs`…). */
  readonly module: string;
  /** The package whose file imports it (its package.json `name`), or the file when outside any package. */
  readonly pkg: string;
  readonly importer: string;
}

export interface PageBundle {
  readonly js: string;
  readonly nodeImports: readonly NodeImport[];
}

/**
 * Node-only packages the framework's own packages import for what a page never does (the native
 * backend, gradients for training, PNG and zip files, the WASM Adam kernel's assembler).
 */
const NODE_ONLY_PACKAGES = ['@tensorflow/tfjs-node', '@tensorflow/tfjs', 'pngjs', 'yauzl', 'wabt', 'fflate'];
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
/** Browser stand-ins for the few Node functions the decoding code may call: the size checks ask for the memory. */
const SHIMS: Record<string, string> = {
  'node:os': 'module.exports = { totalmem: () => ((globalThis.navigator && navigator.deviceMemory) || 4) * 2 ** 30 };',
  os: 'module.exports = { totalmem: () => ((globalThis.navigator && navigator.deviceMemory) || 4) * 2 ** 30 };',
};

const pageEntry = fileURLToPath(new URL('./page/explorer-page.ts', import.meta.url));

/**
 * Bundles the page with the given packages' ContainerModules for the browser (esbuild, one
 * minified IIFE with TensorFlow.js's WebGL and WASM backends). Node built-ins and Node-only packages
 * become empty modules, and every import of one is reported with the package that makes it, so the
 * caller can refuse a component whose own package needs Node.
 */
export async function bundlePage(modules: readonly Pick<PageModule, 'specifier' | 'exportName'>[], resolveDir: string): Promise<PageBundle> {
  // The same packages give the same bundle: `elbo explore` and tests export several runs per process.
  const key = JSON.stringify([resolveDir, modules.map((m) => [m.specifier, m.exportName])]);
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = buildPage(modules, resolveDir);
    bundles.set(key, bundle);
    bundle.catch(() => bundles.delete(key));
  }
  return bundle;
}

const bundles = new Map<string, Promise<PageBundle>>();

async function buildPage(modules: readonly Pick<PageModule, 'specifier' | 'exportName'>[], resolveDir: string): Promise<PageBundle> {
  const nodeImports: NodeImport[] = [];
  const packageOf = packageNameFinder();
  const nodeOnly: Plugin = {
    name: 'node-only',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (a) => {
        const bare = a.path
          .split('/')
          .slice(0, a.path.startsWith('@') ? 2 : 1)
          .join('/');
        if (!BUILTINS.has(a.path) && !BUILTINS.has(bare) && !NODE_ONLY_PACKAGES.includes(bare)) return undefined;
        nodeImports.push({ module: a.path, pkg: await packageOf(a.importer), importer: a.importer });
        return { path: a.path, namespace: 'node-only' };
      });
      b.onLoad({ filter: /.*/, namespace: 'node-only' }, (a) => ({ contents: SHIMS[a.path] ?? 'module.exports = {};', loader: 'js' }));
    },
  };
  const imports = modules.map((m, i) => `import { ${m.exportName === 'default' ? 'default' : m.exportName} as m${i} } from ${JSON.stringify(m.specifier)};`);
  const contents = [`import { startExplorer } from ${JSON.stringify(pageEntry)};`, ...imports, `startExplorer([${modules.map((_, i) => `m${i}`).join(', ')}]);`].join('\n');
  const result = await build({
    stdin: { contents, resolveDir, sourcefile: 'explorer-entry.ts', loader: 'ts' },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [nodeOnly],
  });
  return { js: result.outputFiles[0]!.text, nodeImports };
}

/** The `name` of the package.json nearest above a file (cached per folder). */
export function packageNameFinder(): (file: string) => Promise<string> {
  const cache = new Map<string, string>();
  return async (file) => {
    const seen: string[] = [];
    for (let dir = dirname(resolve(file)); ; dir = dirname(dir)) {
      const hit = cache.get(dir);
      if (hit !== undefined) return remember(hit);
      seen.push(dir);
      const pkg = await readFile(join(dir, 'package.json'), 'utf8').catch(() => undefined);
      if (pkg !== undefined) return remember((JSON.parse(pkg) as { name?: string }).name ?? dir);
      if (dirname(dir) === dir) return remember(file);
    }
    function remember(name: string): string {
      for (const d of seen) cache.set(d, name);
      return name;
    }
  };
}
