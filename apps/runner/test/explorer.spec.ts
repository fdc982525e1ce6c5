import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, openRun, resolveConfig, SilentLogger, trainRun, type OpenRun } from '@elbo/core';
import { serveSite, type SiteData, type SiteServer } from '@elbo/explorer';
import { exploreCommand } from '../src/commands/explore.js';
import { writeWebSite } from '../src/commands/export-web.js';
import { main } from '../src/main.js';
import { setup, setupForRun } from '../src/setup.js';
import { captureOutput, repoRoot, tempDir, writeConfig } from './helpers.js';

/** Debian's Chromium (`.ci/run` installs it); ELBO_CHROMIUM points elsewhere. No browser is downloaded. */
const CHROMIUM = process.env['ELBO_CHROMIUM'] ?? '/usr/bin/chromium';
/** Screenshots of the page per model, kept as test artifacts (ignored by git). */
const SHOTS = join(repoRoot, 'tmp', 'explorer-screenshots');

const dir = tempDir('elbo-explorer-');
const tiny = { data: { name: 'mnist', limit: { train: 300, test: 60 } }, train: { epochs: 1, batchSize: 100 }, eval: { k: 0 }, tracking: { local: {}, console: false } };
const MODELS = {
  mlp: { model: { latent: 4, encoder: { name: 'mlp', hidden: [64] }, decoder: { name: 'mlp', hidden: [64] } } },
  // A β-VAE: a disentangled model, so its page draws the traversal grid.
  conv: {
    model: { latent: 3, encoder: { name: 'conv', channels: [4, 8], hidden: 32 }, decoder: { name: 'conv', channels: [4, 8], hidden: 32 }, divergence: { name: 'beta', beta: 4 } },
  },
  cvae: {
    model: {
      latent: 3,
      condition: 'onehot',
      encoder: { name: 'conditional-mlp', hidden: [64] },
      decoder: { name: 'conditional-mlp', hidden: [64] },
      prior: { name: 'conditional-gaussian', hidden: [16] },
    },
  },
} as const;
type ModelName = keyof typeof MODELS;

async function train(name: string, overrides: Record<string, unknown>): Promise<string> {
  const file = writeConfig(dir, { ...tiny, ...overrides }, `${name}.yaml`);
  const raw = await loadConfig(file);
  const { registry, container } = await setup(raw['plugins'] as string[] | undefined);
  const config = resolveConfig(raw, registry, file);
  return (await trainRun({ config, registry, container, logger: new SilentLogger() })).runDir;
}

/** The runs opened in Node, once each (closed after the file). */
const opened = new Map<string, Promise<OpenRun>>();

/** E[x | z, c] as Node decodes it, from the run folder, for one or more latent vectors. */
async function nodeDecode(runDir: string, z: readonly number[] | readonly number[][], label?: number): Promise<Float32Array> {
  if (!opened.has(runDir))
    opened.set(
      runDir,
      setupForRun(runDir).then((s) => openRun(runDir, { ...s, logger: new SilentLogger() })),
    );
  const run = await opened.get(runDir)!;
  const rows = (Array.isArray(z[0]) ? z : [z]) as number[][];
  return tf.tidy(() => {
    const c = label === undefined ? undefined : run.model.condition({ labels: new Int32Array(rows.length).fill(label) });
    return run.model.decodeMean(tf.tensor2d(rows), c).dataSync() as Float32Array;
  });
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

let browser: Browser;
const runs = {} as Record<ModelName, string>;
const sites = {} as Record<ModelName, { out: string; server: SiteServer }>;

beforeAll(async () => {
  // Loud, not skipped: CI installs Chromium, and a missing one is a broken machine.
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is not at ${CHROMIUM}: the explorer's browser tests need it (apt-get install -y chromium, as .ci/run does; or set ELBO_CHROMIUM)`);
  mkdirSync(SHOTS, { recursive: true });
  for (const name of Object.keys(MODELS) as ModelName[]) {
    runs[name] = await train(name, MODELS[name]);
    const out = await writeWebSite({ runDir: runs[name], out: join(dir, `site-${name}`), mapRows: 40 });
    sites[name] = { out, server: await serveSite(out) };
  }
  // Software WebGL (SwiftShader) on a machine without a GPU.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'] });
});

afterAll(async () => {
  for (const run of opened.values()) (await run).dispose();
  await browser?.close();
  for (const s of Object.values(sites)) await s.server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function openPage(url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => window.elboExplorer?.ready || window.elboExplorer?.error !== undefined, undefined, { timeout: 30_000 });
  expect(errors).toEqual([]);
  return page;
}

const explorerState = (page: Page) => page.evaluate(() => window.elboExplorer);

/** The red channel of a canvas (or of its w × h cell at x, y), as bytes. */
const canvasBytes = (page: Page, id = 'decoded', cell?: [number, number, number, number]) =>
  page.evaluate(
    ([id, cell]) => {
      const c = document.getElementById(id) as HTMLCanvasElement;
      const [x, y, w, h] = cell ?? [0, 0, c.width, c.height];
      const d = c.getContext('2d')!.getImageData(x, y, w, h).data;
      return Array.from({ length: d.length / 4 }, (_, i) => d[4 * i]!);
    },
    [id, cell] as const,
  );
const toBytes = (mean: ArrayLike<number>) => Array.from(mean, (v) => Math.round(255 * Math.min(1, Math.max(0, v))));

describe('the exported page decodes as Node does', () => {
  for (const name of Object.keys(MODELS) as ModelName[]) {
    it(`${name}: a slider move decodes the same mean image (≤ 1e-4) and canvas; the latent map decodes and interpolates`, async () => {
      const page = await openPage(sites[name].server.url);
      try {
        let s = await explorerState(page);
        expect(s.error).toBeUndefined();
        expect(s.backend).toMatch(/^webgl/);
        const label = name === 'cvae' ? 7 : undefined;
        if (label !== undefined) await page.selectOption('#condition-class', String(label));
        await page.locator('#z0').fill('1.25');
        await page.locator('#z1').fill('-0.5');
        s = await explorerState(page);
        expect(s.last!.z.slice(0, 2)).toEqual([1.25, -0.5]);
        const node = await nodeDecode(runs[name], s.last!.z, label);
        expect(maxAbsDiff(s.last!.mean, node)).toBeLessThanOrEqual(1e-4);
        expect(maxAbsDiff(await canvasBytes(page), toBytes(node))).toBeLessThanOrEqual(1);

        const data = (await (await fetch(`${sites[name].server.url}data.json`)).json()) as SiteData;
        const L = s.z.length;
        expect(await page.locator('#traversal-section').isVisible()).toBe(data.traversal);
        expect(data.traversal).toBe(name === 'conv');
        if (data.traversal) {
          // Row r sweeps the r-th dimension by KL over −3…3 around the shown z: its last cell sets it to 3.
          const top = data.klPerDim!.indexOf(Math.max(...data.klPerDim!));
          await page.locator(`#z${top}`).dispatchEvent('change');
          const z = s.last!.z.slice();
          z[top] = 3;
          expect(maxAbsDiff(await canvasBytes(page, 'traversal', [6 * 28, 0, 28, 28]), toBytes(await nodeDecode(runs[name], z, label)))).toBeLessThanOrEqual(1);
          expect(
            await page.evaluate(() => [(document.getElementById('traversal') as HTMLCanvasElement).width, (document.getElementById('traversal') as HTMLCanvasElement).height]),
          ).toEqual([7 * 28, L * 28]);
        }

        // Clicking a map point decodes its latent mean; a second click draws the interpolation.
        for (const i of [3, 17]) {
          const [x, y] = await page.evaluate((k) => window.elboExplorer.mapPixel!(k), i);
          await page.locator('#map').click({ position: { x, y } });
          s = await explorerState(page);
          expect(s.picked.at(-1)).toBe(i);
          expect(maxAbsDiff(s.z, data.map!.means.slice(i * L, (i + 1) * L))).toBeLessThan(1e-6);
          // A conditional model decodes a point with the point's own class.
          if (label !== undefined) expect(Array.from(s.condition!.labels!)).toEqual([data.map!.labels![i]]);
        }
        expect(s.picked).toEqual([3, 17]);
        expect(await page.evaluate(() => (document.getElementById('interpolation') as HTMLCanvasElement).width)).toBe(10 * 28);

        const before = s.z.slice();
        await page.click('#sample');
        s = await explorerState(page);
        expect(s.z).not.toEqual(before);
        expect(s.z.every(Number.isFinite)).toBe(true);
        await page.screenshot({ path: join(SHOTS, `${name}.png`) });
      } finally {
        await page.close();
      }
    });
  }

  it('the WASM fallback decodes the same; with neither backend the page says so', async () => {
    const page = await openPage(`${sites.mlp.server.url}?backend=wasm`);
    try {
      await page.locator('#z0').fill('-1');
      const s = await explorerState(page);
      expect(s.backend).toBe('wasm');
      expect(maxAbsDiff(s.last!.mean, await nodeDecode(runs.mlp, s.last!.z))).toBeLessThanOrEqual(1e-4);
    } finally {
      await page.close();
    }
    const broken = join(dir, 'site-no-wasm');
    cpSync(sites.mlp.out, broken, { recursive: true });
    for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) rmSync(join(broken, f));
    const server = await serveSite(broken);
    const bad = await openPage(`${server.url}?backend=wasm`);
    try {
      expect((await explorerState(bad)).error).toMatch(/neither of its backends started/);
      expect(await bad.locator('#error').isVisible()).toBe(true);
    } finally {
      await bad.close();
      await server.close();
    }
  });
});

describe('elbo explore', () => {
  const output = captureOutput();

  it('serves the run on 127.0.0.1, prints the URL, and stops and cleans up when asked', async () => {
    const stop = new AbortController();
    const done = exploreCommand({ runDir: runs.mlp, port: 0, open: false, mapRows: 20 }, stop.signal);
    while (!/http:\/\/127\.0\.0\.1:\d+\//.test(output.out)) await new Promise((r) => setTimeout(r, 100));
    const url = output.out.trim();
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="explorer.js"></script>');
    const data = (await (await fetch(`${url}data.json`)).json()) as SiteData;
    expect(data.map!.n).toBe(20);
    const folder = /→ (\S+elbo-explore-\S+)/.exec(output.err)![1]!;
    expect(existsSync(join(folder, 'index.html'))).toBe(true);
    stop.abort();
    expect(await done).toBe(0);
    await expect(fetch(url)).rejects.toThrow();
    expect(existsSync(folder)).toBe(false);
  });
});

describe('bad input', () => {
  const output = captureOutput();

  it('a run without a finished model: exit 2, naming the missing file, nothing written', async () => {
    const run = join(dir, 'runs', 'test', 'unfinished');
    mkdirSync(run, { recursive: true });
    writeFileSync(join(run, 'status.json'), JSON.stringify({ status: 'RUNNING' }));
    const out = join(dir, 'site-unfinished');
    expect(await main(['export-web', run, '--out', out])).toBe(2);
    expect(output.err).toContain(join(run, 'artifacts', 'model', 'model.json'));
    expect(output.err).toContain('no finished model');
    expect(existsSync(out)).toBe(false);
  });

  it('a map method the model cannot have: exit 2, nothing written', async () => {
    const out = join(dir, 'site-latent');
    expect(await main(['export-web', runs.mlp, '--out', out, '--method', 'latent'])).toBe(2);
    expect(output.err).toContain('method "latent" shows 2-D latents as they are; this model\'s latent has 4 dimensions');
    expect(existsSync(out)).toBe(false);
  });

  it('a decoder whose package needs Node: exit 2, naming the component and the module', async () => {
    const plugin = join(repoRoot, 'tmp', 'explorer-node-plugin');
    mkdirSync(plugin, { recursive: true });
    writeFileSync(
      join(plugin, 'index.ts'),
      [
        "import { readFileSync } from 'node:fs';",
        "import { ContainerModule } from 'inversify';",
        "import { ComponentContribution } from '@elbo/core';",
        "import { mlpDecoder } from '@elbo/models-vae';",
        "const fsDecoder = { ...mlpDecoder, name: 'fs-mlp', create: (o: never, ctx: never) => (readFileSync.length, mlpDecoder.create(o, ctx)) };",
        'export default new ContainerModule((o) => { o.bind(ComponentContribution).toConstantValue([fsDecoder]); });',
      ].join('\n'),
    );
    const run = await train('node-decoder', {
      plugins: [join(plugin, 'index.ts')],
      model: { latent: 2, encoder: { name: 'mlp', hidden: [16] }, decoder: { name: 'fs-mlp', hidden: [16] } },
    });
    const out = join(dir, 'site-node');
    expect(await main(['export-web', run, '--out', out])).toBe(2);
    expect(output.err).toMatch(/model\.decoder: decoder\/fs-mlp cannot run in a browser: its package .* imports node:fs/);
    expect(existsSync(out)).toBe(false);
  });
});
