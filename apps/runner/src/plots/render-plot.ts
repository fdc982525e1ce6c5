import type { TopLevelSpec } from 'vega-lite';

/** The font and background every plot of the runner uses. */
export const PLOT_CONFIG = { font: 'DejaVu Sans, Arial, sans-serif', background: 'white' } as const;

/** Renders a Vega-Lite spec to PNG: Vega-Lite → Vega → SVG → resvg, at twice the spec's size. */
export async function renderPlot(spec: TopLevelSpec): Promise<Uint8Array> {
  // Loaded on use: every `elbo` command imports the modules that plot, few draw plots.
  const [vega, { compile }, { Resvg }] = await Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const resvg = new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, sansSerifFamily: 'DejaVu Sans' } });
    return resvg.render().asPng();
  } finally {
    view.finalize();
  }
}
