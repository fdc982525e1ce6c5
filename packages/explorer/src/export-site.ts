import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { ComponentContribution, ConfigError, createContainer, type ComponentManifest } from '@elbo/core';
import { bundlePage, packageNameFinder, type NodeImport, type PageModule } from './bundle-page.js';
import { pageHtml } from './page/page-html.js';
import type { SavedModel, SiteData } from './site-data.js';

/**
 * The run's saved model (`artifacts/model/`), checked: the run must have finished and saved it.
 * Anything missing is a ConfigError naming the file.
 */
export async function readSavedModel(runDir: string): Promise<{ saved: SavedModel; weights: string }> {
  const statusFile = join(runDir, 'status.json');
  const status = await readFile(statusFile, 'utf8').then(
    (t) => (JSON.parse(t) as { status?: string }).status,
    () => undefined,
  );
  if (status === undefined) throw new ConfigError(`${runDir}: not a run folder (no status.json)`);
  const dir = join(runDir, 'artifacts', 'model');
  const [json, weights] = [join(dir, 'model.json'), join(dir, 'weights.bin')];
  for (const f of [json, weights]) {
    if (!(await stat(f).catch(() => undefined))?.isFile()) {
      throw new ConfigError(`${runDir}: no finished model to show: ${f} is missing (the run is ${status}; a model is saved when training finishes)`);
    }
  }
  const saved = JSON.parse(await readFile(json, 'utf8')) as SavedModel;
  if (saved.format !== 'elbo-model/1') throw new ConfigError(`${json}: expected format "elbo-model/1", got ${JSON.stringify(saved.format)}`);
  return { saved, weights };
}

/** The model sections the page builds: what it decodes with. */
function decodingSections(saved: SavedModel): { path: string; kind: string; name: string }[] {
  const m = saved.model;
  const parts: [string, string, unknown][] = [
    ['condition', 'condition', m.condition],
    ['likelihood', 'likelihood', m.likelihood],
    ['decoder', 'decoder', m.decoder],
    ['prior', 'prior', m.prior],
  ];
  return parts.filter(([, , s]) => s).map(([key, kind, s]) => ({ path: `model.${key}`, kind, name: typeof s === 'string' ? s : (s as { name: string }).name }));
}

/** The packages of the framework whose Node-only imports serve what a page never does (files, backends). */
const FRAMEWORK = new Set(['@elbo/core', '@elbo/compute']);

/**
 * Refuses a component the page needs whose package imports Node-only modules (it would fail in a
 * browser) or that no bundled package contributes, naming the config path, the component, the
 * package and the module.
 */
async function checkBrowserSafe(saved: SavedModel, modules: readonly PageModule[], resolveDir: string, nodeImports: readonly NodeImport[]): Promise<void> {
  const packageOf = packageNameFinder();
  const req = createRequire(join(resolveDir, 'noop.js'));
  const owners = await Promise.all(
    modules.map(async (m) => {
      const { container } = createContainer([m.module]);
      const manifests = container.isBound(ComponentContribution) ? container.getAll<ComponentManifest>(ComponentContribution) : [];
      const file = m.specifier.startsWith('/') ? m.specifier : req.resolve(m.specifier);
      return { pkg: await packageOf(file), names: new Set(manifests.flat().map((d) => `${d.kind}/${d.name}`)) };
    }),
  );
  const problems: string[] = [];
  for (const s of decodingSections(saved)) {
    const owner = owners.find((o) => o.names.has(`${s.kind}/${s.name}`));
    if (!owner) {
      // Core's own components (none decode today) are bundled with the page anyway.
      const { registry } = createContainer([]);
      if (!registry.has(s.kind, s.name)) problems.push(`${s.path}: ${s.kind}/${s.name} comes from no package the page can bundle (is its plugin installed?)`);
      continue;
    }
    if (FRAMEWORK.has(owner.pkg)) continue;
    const bad = nodeImports.filter((n) => n.pkg === owner.pkg);
    if (bad.length) {
      const what = [...new Set(bad.map((n) => `${n.module} (${n.importer})`))].slice(0, 3).join(', ');
      problems.push(`${s.path}: ${s.kind}/${s.name} cannot run in a browser: its package ${owner.pkg} imports ${what}`);
    }
  }
  if (problems.length) throw new ConfigError(problems.join('\n'));
}

export interface ExportSiteOptions {
  readonly runDir: string;
  readonly out: string;
  /** The packages whose ContainerModules the page loads (the model packages, the run's plugins). */
  readonly modules: readonly PageModule[];
  /** Where package names in `modules` resolve from. */
  readonly resolveDir: string;
  readonly data: SiteData;
}

/** The WASM backend's binaries, served beside the page for its fallback. */
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/**
 * Writes the static site: `index.html`, `explorer.js` (the page and the decoding components,
 * bundled for the browser), the WASM backend's `.wasm` files, `model/` (the run's saved model as it
 * is) and `data.json`. Refuses (ConfigError) a run without a finished model or with a decoding
 * component that cannot run in a browser, before writing anything.
 */
export async function exportSite(o: ExportSiteOptions): Promise<{ files: string[]; bytes: number }> {
  const { saved, weights } = await readSavedModel(o.runDir);
  const bundle = await bundlePage(o.modules, o.resolveDir);
  await checkBrowserSafe(saved, o.modules, o.resolveDir, bundle.nodeImports);
  const out = resolve(o.out);
  await mkdir(join(out, 'model'), { recursive: true });
  const wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const written: [string, string | Uint8Array][] = [
    ['index.html', pageHtml(o.data.title)],
    ['explorer.js', bundle.js],
    ['data.json', JSON.stringify(o.data)],
    ['model/model.json', JSON.stringify(saved)],
  ];
  for (const [f, content] of written) await writeFile(join(out, f), content);
  await copyFile(weights, join(out, 'model', 'weights.bin'));
  for (const f of WASM_FILES) await copyFile(join(wasmDir, 'dist', f), join(out, f));
  const files = [...written.map(([f]) => f), 'model/weights.bin', ...WASM_FILES];
  let bytes = 0;
  for (const f of files) bytes += (await stat(join(out, f))).size;
  return { files, bytes };
}
