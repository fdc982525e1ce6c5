import { basename, resolve } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { ConfigError, runIdOf, writeFileAtomic } from '@elbo/core';
import { latentMap, type LatentMap, type MapMethod } from '@elbo/uses';
import { labelText, withRunInput } from './run-input.js';
import { loadResvg } from '../plots/render-plot.js';

export interface LatentMapArgs {
  runDir: string;
  out: string;
  input: string;
  method: MapMethod;
  limit?: number;
  /** Seed of the UMAP layout. */
  seed?: number;
}

/**
 * `elbo latent-map <run> --out map.png [--input test] [--method auto|latent|pca|umap] [--limit N]`:
 * a scatter plot of the rows' posterior means — the 2-D latent itself, their first two principal
 * components, or a UMAP embedding — coloured by label with a legend. `.svg` writes the vector
 * drawing instead of a PNG.
 */
export async function latentMapCommand(args: LatentMapArgs): Promise<number> {
  const ext = args.out.toLowerCase().match(/\.(png|svg)$/)?.[1];
  if (!ext) throw new ConfigError(`--out ${args.out}: expected a .png or .svg file name`);
  return withRunInput(args, async ({ run, input, logger, batches }) => {
    const map = await latentMap(run.model, input.split, { ...batches('latent-map'), method: args.method, seed: args.seed });
    const labels = map.labels ? Array.from(map.labels, (l) => labelText(run, l)) : undefined;
    const title = `${runIdOf(args.runDir)}: ${map.n} ${input.kind === 'split' ? `${input.source} rows` : `rows of ${basename(input.source)}`}, latent means${map.method === 'latent' ? '' : ` (${map.method.toUpperCase()} of ${run.model.shape.latentDim}-D)`}`;
    const svg = await renderLatentMap(map, { title, labels });
    const out = resolve(args.out);
    await writeFileAtomic(out, ext === 'svg' ? svg : await svgToPng(svg));
    logger.info(
      `latent map: ${map.n} points, ${map.method === 'pca' ? `PCA (${map.explained!.map((e) => `${(100 * e).toFixed(0)}%`).join(' + ')} of the variance)` : map.method === 'umap' ? 'UMAP' : '2-D latent'} → ${out}`,
    );
    process.stdout.write(`${out}\n`);
    return 0;
  });
}

/**
 * The map as an SVG scatter plot (vega-lite → vega's headless SVG renderer): one point per row,
 * coloured by label (nominal legend, labels in natural order) when there are labels.
 */
export async function renderLatentMap(map: LatentMap, opts: { title: string; labels?: readonly string[]; width?: number }): Promise<string> {
  const values = Array.from({ length: map.n }, (_, i) => ({ x: map.points[2 * i]!, y: map.points[2 * i + 1]!, label: opts.labels?.[i] ?? '' }));
  const order = opts.labels ? [...new Set(opts.labels)].sort(new Intl.Collator('en', { numeric: true }).compare) : [];
  const size = opts.width ?? 560;
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: opts.title,
    width: size,
    height: size,
    background: 'white',
    config: { font: 'DejaVu Sans, Arial, Helvetica, sans-serif' },
    data: { values },
    mark: { type: 'circle', size: map.n > 3000 ? 6 : 14, opacity: 0.75 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: map.axes[0], scale: { zero: false } },
      y: { field: 'y', type: 'quantitative', title: map.axes[1], scale: { zero: false } },
      ...(opts.labels ? { color: { field: 'label', type: 'nominal', title: 'label', sort: order, scale: { scheme: order.length <= 10 ? 'category10' : 'tableau20' } } } : {}),
    },
  };
  // Loaded on use (~250 ms): every `elbo` command imports this module, few draw maps.
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterises an SVG at twice its size with resvg (system fonts for the text). */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  const { Resvg } = await loadResvg();
  return new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, background: 'white', font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
}
