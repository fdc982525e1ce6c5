/** The page's HTML: the controls the bundled script fills in, and its styles. */
export function pageHtml(title: string): string {
  const esc = title.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc} · ELBO explorer</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #222; background: #fafafa; }
  header { display: flex; gap: 1em; align-items: baseline; padding: 0.6em 1em; background: #fff; border-bottom: 1px solid #ddd; }
  header h1 { font-size: 1.1em; margin: 0; }
  #backend { font-family: monospace; background: #eef; padding: 0 0.4em; border-radius: 3px; }
  #status, #timing { color: #666; }
  main { display: grid; grid-template-columns: minmax(300px, 1fr) minmax(380px, 1fr) minmax(260px, 0.8fr); gap: 1em; padding: 1em; }
  section { background: #fff; border: 1px solid #ddd; border-radius: 4px; padding: 0.8em; }
  h2 { font-size: 1em; margin: 0 0 0.5em; }
  canvas.image { image-rendering: pixelated; border: 1px solid #ccc; background: #000; }
  #decoded { width: 224px; }
  .slider { display: grid; grid-template-columns: 11em 1fr 3em; align-items: center; gap: 0.4em; }
  .slider.inactive .name { color: #aaa; font-style: italic; }
  .value { font-family: monospace; text-align: right; }
  #map { width: 360px; height: 360px; border: 1px solid #ccc; cursor: crosshair; }
  #interpolation, #traversal { width: 100%; max-width: 420px; }
  #error { background: #fee; border: 1px solid #c33; color: #900; padding: 0.8em; margin: 1em; }
  pre { font-size: 12px; max-height: 420px; overflow: auto; background: #f6f6f6; padding: 0.5em; }
  table { border-collapse: collapse; } td { padding: 1px 0.6em 1px 0; font-family: monospace; }
  button { margin: 0.2em 0.4em 0.4em 0; }
</style>
</head>
<body>
<header><h1 id="title">${esc}</h1><span id="backend">starting…</span><span id="status">loading…</span><span id="timing"></span></header>
<div id="error" role="alert" hidden></div>
<main>
  <section>
    <h2>Decoded</h2>
    <canvas id="decoded" class="image" width="28" height="28"></canvas>
    <div><button id="sample">Sample from the prior</button><button id="reset">z = 0</button></div>
    <div id="condition"></div>
    <h2>Latent dimensions <small>(by KL, most informative first)</small></h2>
    <div id="sliders"></div>
  </section>
  <section>
    <div id="map-section">
      <h2>Latent map</h2>
      <div id="map-axes"></div>
      <canvas id="map" width="360" height="360"></canvas>
      <div id="map-legend"></div>
      <p><small>Hover a point to decode it; click two points to interpolate between them.</small></p>
      <canvas id="interpolation" class="image" width="0" height="0"></canvas>
    </div>
    <div id="traversal-section" hidden>
      <h2>Traversals <small>(each dimension over −3…3)</small></h2>
      <canvas id="traversal" class="image"></canvas>
    </div>
  </section>
  <section>
    <h2>Held-out metrics</h2>
    <table id="metrics"></table>
    <h2>Config</h2>
    <pre id="config"></pre>
  </section>
</main>
<script src="explorer.js"></script>
</body>
</html>
`;
}
