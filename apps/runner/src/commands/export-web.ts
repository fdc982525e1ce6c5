import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { ConfigError, runIdOf, type Logger, type OpenRun } from '@elbo/core';
import { exportSite, readSavedModel, type PageModule, type SiteData, type SiteMap } from '@elbo/explorer';
import { ContainerModule } from 'inversify';
import { modelsDisentangledManifest } from '@elbo/models-disentangled';
import { encodeExamples, latentMap, type MapMethod } from '@elbo/uses';
import { labelText, positiveInt, withRunInput } from './run-input.js';

export interface ExportWebArgs {
  readonly runDir: string;
  readonly out: string;
  /** Test rows on the latent map. */
  readonly mapRows?: number;
  /** How the map is drawn, as `elbo latent-map --method`. */
  readonly method?: MapMethod;
}

/** The runner's package folder: the page's packages resolve from there. */
const RUNNER_DIR = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The packages whose components the page may build: every model package the runner depends on
 * (`@elbo/models-*`, each exporting one ContainerModule), then the run's plugins.
 */
async function pageModules(run: OpenRun): Promise<PageModule[]> {
  const { dependencies } = JSON.parse(await readFile(join(RUNNER_DIR, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const modules: PageModule[] = [];
  for (const name of Object.keys(dependencies).filter((d) => d.startsWith('@elbo/models-'))) {
    const found = Object.entries((await import(name)) as Record<string, unknown>).find(([, v]) => v instanceof ContainerModule);
    if (found) modules.push({ specifier: name, exportName: found[0], module: found[1] as ContainerModule });
  }
  for (const name of run.config.plugins) {
    const file = createRequire(`${process.cwd()}/`).resolve(name);
    const mod = (await import(file)) as Record<string, unknown>;
    const exportName = mod['default'] ? 'default' : 'elboModule';
    modules.push({ specifier: file, exportName, module: mod[exportName] as ContainerModule });
  }
  return modules;
}

/**
 * The latent map of the first `mapRows` test rows, with their latent means. A model the map cannot
 * be drawn for (a 1-D latent, a posterior without μ and σ) gets none under `auto`, with a note; a
 * method asked for by name is an error instead.
 */
async function mapOf(run: OpenRun, mapRows: number, method: MapMethod, logger: Logger): Promise<SiteMap | undefined> {
  const test = run.dataset.test;
  const opts = { limit: Math.min(mapRows, test.size), batchSize: run.config.eval.batchSize };
  try {
    const [m, enc] = [await latentMap(run.model, test, { ...opts, method }), await encodeExamples(run.model, test, opts)];
    const labelNames = m.labels ? Array.from({ length: Math.max(...m.labels) + 1 }, (_, l) => labelText(run, l)) : undefined;
    return { n: m.n, points: Array.from(m.points), means: Array.from(enc.mean), labels: m.labels && Array.from(m.labels), labelNames, method: m.method, axes: m.axes };
  } catch (e) {
    if (method !== 'auto' || !(e instanceof ConfigError)) throw e;
    logger.warn(`latent map: ${e.message}; the page shows none`);
    return undefined;
  }
}

/** The page's data: config, held-out metrics, KL per dimension, the latent map of test rows, the condition. */
async function siteData(run: OpenRun, mapRows: number, method: MapMethod, logger: Logger): Promise<SiteData> {
  const metrics: Record<string, number> = {};
  for (const p of run.history) if (/^(test|final)\//.test(p.key)) metrics[p.key] = p.value;
  const evaluation = await readFile(join(run.runDir, 'artifacts', 'evaluation.json'), 'utf8').then(
    (t) => JSON.parse(t) as { klPerDim?: number[]; meanVariance?: number[] },
    () => ({}) as { klPerDim?: number[]; meanVariance?: number[] },
  );
  const map = await mapOf(run, mapRows, method, logger);
  const c = run.model.conditioner;
  const condition: SiteData['condition'] = !c
    ? undefined
    : c.numClasses
      ? { kind: 'class', classes: Array.from({ length: c.numClasses }, (_, l) => labelText(run, l)) }
      : { kind: 'vector', dim: c.dim };
  const d = run.dataset;
  return {
    format: 'elbo-explorer/1',
    runId: runIdOf(run.runDir),
    title: `${run.config.experiment} / ${runIdOf(run.runDir)}`,
    configYaml: stringify(run.config),
    metrics,
    klPerDim: evaluation.klPerDim,
    active: evaluation.meanVariance?.map((v) => v > 0.01),
    dataset: {
      name: d.name,
      shape: d.shape,
      support: d.support,
      numClasses: d.numClasses,
      trainSize: d.train.size,
      labelled: !!d.train.labels,
      conditionDim: d.train.conditions?.dim,
    },
    map,
    condition,
    traversal: modelsDisentangledManifest.some((x) => x.kind === 'divergence' && x.name === run.config.model.divergence.name),
  };
}

/**
 * Writes the static site of a finished run (the page, the decoding components bundled for the
 * browser, the saved model, the data it shows) into `out`; returns its absolute path.
 */
export async function writeWebSite(args: ExportWebArgs): Promise<string> {
  positiveInt('--map-rows', args.mapRows);
  await readSavedModel(args.runDir);
  const out = resolve(args.out);
  return withRunInput({ runDir: args.runDir, input: 'test' }, async ({ run, logger }) => {
    const [data, modules] = [await siteData(run, args.mapRows ?? 500, args.method ?? 'auto', logger), await pageModules(run)];
    const site = await exportSite({ runDir: args.runDir, out, modules, resolveDir: RUNNER_DIR, data });
    logger.info(`web site: ${site.files.length} files, ${(site.bytes / 1e6).toFixed(1)} MB → ${out}`);
    return out;
  });
}

/** `elbo export-web <run-dir> --out site/`: the run as a static site; prints its folder. */
export async function exportWebCommand(args: ExportWebArgs): Promise<number> {
  process.stdout.write(`${await writeWebSite(args)}\n`);
  return 0;
}
