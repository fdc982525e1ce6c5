import type { TopLevelSpec } from 'vega-lite';

/** The font and background every plot of the runner uses. */
export const PLOT_CONFIG = { font: 'DejaVu Sans, Arial, sans-serif', background: 'white' } as const;

/**
 * resvg-js (its loader) asks Node's diagnostic report which C library this is; the report looks up
 * the host name of every open socket, so a run with an open connection (an MLflow server, Redis) on
 * a host whose DNS server cannot be reached waited 4 × 10 s before drawing. The report's network
 * section is left out, as nothing here reads it.
 */
export async function loadResvg(): Promise<typeof import('@resvg/resvg-js')> {
  if (process.report) (process.report as { excludeNetwork?: boolean }).excludeNetwork = true;
  return import('@resvg/resvg-js');
}

/** Renders a Vega-Lite spec to PNG: Vega-Lite → Vega → SVG → resvg, at twice the spec's size. */
export async function renderPlot(spec: TopLevelSpec): Promise<Uint8Array> {
  // Loaded on use: every `elbo` command imports the modules that plot, few draw plots.
  const [vega, { compile }, { Resvg }] = await Promise.all([import('vega'), import('vega-lite'), loadResvg()]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const resvg = new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, sansSerifFamily: 'DejaVu Sans' } });
    return resvg.render().asPng();
  } finally {
    view.finalize();
  }
}
