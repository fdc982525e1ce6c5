/**
 * Times an exported site in headless Chromium (software WebGL): the page load, from navigation to
 * the first decoded image, over fresh browser contexts, and the decode of one slider move.
 *
 *     npx elbo export-web <run-dir> --out /tmp/site
 *     npx tsx packages/explorer/test/page-timing.ts /tmp/site [--loads 5] [--moves 200]
 *
 * Prints one JSON object: the backend, the load times and the per-move decode times (median, p95).
 */
import { chromium } from 'playwright-core';
import { serveSite } from '../src/serve-site.js';

const [site, ...rest] = process.argv.slice(2);
if (!site) throw new Error('usage: page-timing.ts <site-folder> [--loads N] [--moves N]');
const flag = (name: string, dflt: number) => {
  const i = rest.indexOf(`--${name}`);
  return i >= 0 ? Number(rest[i + 1]) : dflt;
};
const [loads, moves] = [flag('loads', 5), flag('moves', 200)];
const quantile = (xs: number[], q: number) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

const server = await serveSite(site);
const browser = await chromium.launch({
  executablePath: process.env['ELBO_CHROMIUM'] ?? '/usr/bin/chromium',
  args: ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
});
try {
  const loadMs: number[] = [];
  let backend = '';
  let decodeMs: number[] = [];
  let phases: Record<string, number> = {};
  for (let i = 0; i < loads; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => window.elboExplorer?.ready || window.elboExplorer?.error !== undefined, undefined, { timeout: 60_000 });
    const s = await page.evaluate(() => window.elboExplorer);
    if (s.error) throw new Error(s.error);
    backend = s.backend!;
    loadMs.push(s.loadMs!);
    if (i === loads - 1) {
      phases = Object.fromEntries(Object.entries(s.phases).map(([k, v]) => [k, Math.round(v)]));
      // Slider moves as a user makes them: one input event per position.
      decodeMs = await page.evaluate((n) => {
        const input = document.getElementById('z0') as HTMLInputElement;
        const before = window.elboExplorer.decodeMs.length;
        for (let k = 0; k < n; k++) {
          input.value = String(-3 + (6 * k) / (n - 1));
          input.dispatchEvent(new Event('input'));
        }
        return window.elboExplorer.decodeMs.slice(before);
      }, moves);
    }
    await context.close();
  }
  const r = (x: number) => Math.round(x * 10) / 10;
  console.log(
    JSON.stringify({
      backend,
      loads,
      loadMs: { median: r(quantile(loadMs, 0.5)), max: r(Math.max(...loadMs)) },
      lastLoadPhases: phases,
      moves,
      decodeMs: { median: r(quantile(decodeMs, 0.5)), p95: r(quantile(decodeMs, 0.95)), max: r(Math.max(...decodeMs)) },
    }),
  );
} finally {
  await browser.close();
  await server.close();
}
