import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { auroc } from '@elbo/uses';
import { decodePng, encodeImageGrid, loadConfig, mulberry32, resolveConfig, SilentLogger, trainRun } from '@elbo/core';
import { loadMnist } from '@elbo/datasets';
import { main } from '../src/main.js';
import { setup } from '../src/setup.js';
import { tempDir, writeConfig } from './helpers.js';

const dir = tempDir('elbo-uses-');
let digits = ''; // MLP VAE with a 2-D latent on 1,000 embedded digits, 2 epochs
let tabular = ''; // Gaussian VAE on synthetic CSV rows

async function train(file: string): Promise<string> {
  const { registry, container } = await setup();
  return (await trainRun({ config: resolveConfig(await loadConfig(file), registry, file), registry, container, logger: new SilentLogger() })).runDir;
}

/** Six features on a 2-D manifold (normal rows), or uniform in the same box (anomalies). */
function tabularRows(n: number, seed: number, anomaly: boolean): number[][] {
  const u = mulberry32(seed);
  const g = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  return Array.from({ length: n }, () => {
    if (anomaly) return Array.from({ length: 6 }, () => 4 * u() - 2);
    const [s, t] = [2 * u() - 1, 2 * u() - 1];
    return [s, t, s * t, Math.sin(2 * s), s + t, Math.cos(2 * t)].map((v) => v + 0.05 * g());
  });
}
const COLUMNS = ['a', 'b', 'c', 'd', 'e', 'f'];
const csv = (header: string[], rows: (string | number)[][]) => [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';

beforeAll(async () => {
  digits = await train(
    writeConfig(
      dir,
      {
        model: { latent: 2, encoder: { name: 'mlp', hidden: [200] }, decoder: { name: 'mlp', hidden: [200] } },
        data: { name: 'mnist', limit: { train: 1000, test: 200 } },
        train: { epochs: 2, batchSize: 100 },
        eval: { k: 0 },
      },
      'digits.yaml',
    ),
  );
  writeFileSync(join(dir, 'normal.csv'), csv(COLUMNS, tabularRows(1000, 1, false)));
  tabular = await train(
    writeConfig(
      dir,
      {
        data: { name: 'csv', file: join(dir, 'normal.csv'), testFraction: 0.2 },
        model: { latent: 2, encoder: { name: 'mlp', hidden: [64] }, decoder: { name: 'mlp', hidden: [64] }, likelihood: { name: 'gaussian', sigma: 'learned', scale: 0.5 } },
        train: { epochs: 30, batchSize: 50 },
        eval: { k: 0 },
      },
      'tabular.yaml',
    ),
  );
});

let err = '';
beforeEach(() => {
  err = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => vi.restoreAllMocks());

const readCsv = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));

describe('elbo score and calibrate', () => {
  it('scores the test split, then flags rows once a threshold is calibrated', async () => {
    const out = join(dir, 'scores.csv');
    expect(await main(['score', digits, '--input', 'test', '--out', out])).toBe(0);
    const first = readCsv(out);
    expect(first[0]).toEqual(['index', 'label', 'neg-elbo']);
    expect(first).toHaveLength(201);
    expect(err).toContain('no threshold stored for neg-elbo');
    expect(await main(['calibrate', digits, '--fpr', '0.1'])).toBe(0);
    expect(JSON.parse(readFileSync(join(digits, 'artifacts', 'threshold.json'), 'utf8')).thresholds['neg-elbo'].fpr).toBe(0.1);
    expect(await main(['score', digits, '--input', 'test', '--out', out])).toBe(0);
    const flagged = readCsv(out);
    expect(flagged[0]).toEqual(['index', 'label', 'neg-elbo', 'anomaly']);
    const rate = flagged.slice(1).filter((r) => r[3] === '1').length / 200;
    expect(rate).toBeGreaterThan(0.03); // calibrated at 10% on these rows, re-scored with new z draws
    expect(rate).toBeLessThan(0.2);
  });

  it('scores IWAE with k samples and the reconstruction error, limited', async () => {
    const out = join(dir, 'iwae.csv');
    expect(await main(['score', digits, '--score', 'iwae', '--k', '5', '--limit', '30', '--out', out])).toBe(0);
    const rows = readCsv(out);
    expect([rows[0], rows.length]).toEqual([['index', 'label', 'iwae-k5'], 31]);
    expect(await main(['score', digits, '--score', 'recon', '--limit', '30', '--out', out])).toBe(0);
    expect(readCsv(out)[0]).toEqual(['index', 'label', 'recon']);
  });

  it('scores a folder of PNG digits and a CSV of pixel rows', async () => {
    const mnist = await loadMnist({ binarize: 'none', limit: { test: 3 } });
    const px = new Float32Array(3 * 784);
    mnist.test.read([0, 1, 2], px);
    const folder = join(dir, 'pngs');
    mkdirSync(folder);
    ['b.png', 'a.png', 'c.png'].forEach((f, i) => writeFileSync(join(folder, f), encodeImageGrid([px.subarray(i * 784, (i + 1) * 784)], { shape: [28, 28, 1], cols: 1, gap: 0 })));
    const out = join(dir, 'png-scores.csv');
    expect(await main(['score', digits, '--input', folder, '--out', out])).toBe(0);
    expect(readCsv(out).map((r) => r[0])).toEqual(['file', 'a.png', 'b.png', 'c.png']);
    const pixels = join(dir, 'pixels.csv');
    writeFileSync(
      pixels,
      csv(
        [...Array.from({ length: 784 }, (_, i) => `p${i}`), 'label'],
        [0, 1, 2].map((i) => [...px.subarray(i * 784, (i + 1) * 784), mnist.test.labels![i]!]),
      ),
    );
    expect(await main(['score', digits, '--input', pixels, '--out', out])).toBe(0);
    expect(readCsv(out).map((r) => r.slice(0, 2))).toEqual([
      ['line', 'label'],
      ['2', String(mnist.test.labels![0])],
      ['3', String(mnist.test.labels![1])],
      ['4', String(mnist.test.labels![2])],
    ]);
  });

  const bad: [string, () => string[], string][] = [
    [
      'images of the wrong size',
      () => ['score', digits, '--input', badFolder(), '--out', join(dir, 'x.csv')],
      'the image is 10×10 pixels; the model takes 28×28 images (data shape [28, 28, 1])',
    ],
    [
      'CSV rows of the wrong width',
      () => ['score', digits, '--input', file('narrow.csv', '1,2,3\n'), '--out', join(dir, 'x.csv')],
      'rows have 3 value columns, but the model takes 784 values per row (data shape [28, 28, 1])',
    ],
    ['a missing input', () => ['score', digits, '--input', join(dir, 'nothing.csv'), '--out', join(dir, 'x.csv')], 'nothing.csv: no such file'],
    [
      'an input of unknown kind',
      () => ['encode', digits, '--input', 'validation', '--out', join(dir, 'x.csv')],
      '--input validation: expected "train", "test", a folder of PNG images or a .csv file',
    ],
    ['an output that is not CSV', () => ['score', digits, '--out', join(dir, 'x.txt')], '--out'],
    ['a rate outside (0, 1)', () => ['calibrate', digits, '--fpr', '1.5'], '--fpr: expected a false-positive rate between 0 and 1'],
    ['a missing feature column', () => ['score', tabular, '--input', file('cols.csv', 'a,b,c\n1,2,3\n'), '--out', join(dir, 'x.csv')], 'no feature column "d" (columns: a, b, c)'],
  ];
  for (const [what, args, message] of bad) {
    it(`${what}: exit 2, a message naming the file and what is expected, nothing written`, async () => {
      expect(await main(args())).toBe(2);
      expect(err).toContain(message);
      expect(existsSync(join(dir, 'x.csv'))).toBe(false);
    });
  }
});

function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}
function badFolder(): string {
  const f = join(dir, 'small');
  mkdirSync(f, { recursive: true });
  writeFileSync(join(f, 'x.png'), encodeImageGrid([new Float32Array(100)], { shape: [10, 10, 1], cols: 1, gap: 0 }));
  return f;
}

describe('elbo encode, denoise and latent-map', () => {
  it('encode writes μ and σ per row with the label', async () => {
    const out = join(dir, 'latents.csv');
    expect(await main(['encode', digits, '--input', 'test', '--limit', '20', '--out', out])).toBe(0);
    const rows = readCsv(out);
    expect(rows[0]).toEqual(['index', 'label', 'mu_0', 'mu_1', 'sigma_0', 'sigma_1']);
    expect(rows).toHaveLength(21);
    expect(rows.slice(1).every((r) => Number(r[4]) > 0 && Number(r[5]) > 0)).toBe(true);
  });

  it('denoise writes one PNG per input image under the same name, and refuses to overwrite its input', async () => {
    const folder = join(dir, 'pngs');
    const out = join(dir, 'clean');
    expect(await main(['denoise', digits, '--input', folder, '--out', out])).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['a.png', 'b.png', 'c.png']);
    const png = decodePng(readFileSync(join(out, 'a.png')));
    expect([png.width, png.height]).toEqual([28, 28]);
    expect(await main(['denoise', digits, '--input', folder, '--out', folder])).toBe(2);
    expect(err).toContain('is the input folder');
  });

  it('latent-map draws the test digits by label with a legend (PNG, or SVG)', async () => {
    const png = join(dir, 'map.png');
    expect(await main(['latent-map', digits, '--out', png])).toBe(0);
    const img = decodePng(readFileSync(png));
    expect(img.width).toBeGreaterThan(1000); // 560-px plot + axes + legend, at 2×
    const svg = join(dir, 'map.svg');
    expect(await main(['latent-map', digits, '--out', svg])).toBe(0);
    const text = readFileSync(svg, 'utf8');
    expect(text).toContain('>label</text>'); // the legend's title…
    for (const d of ['0', '5', '9']) expect(text).toContain(`>${d}</text>`); // …and its entries
    expect(text).toContain('z₁');
    expect((text.match(/<path[^>]*class="mark-symbol|role-mark/g) ?? []).length).toBeGreaterThan(0);
  });
});

describe('tabular anomaly detection from CSV', () => {
  it('calibrates on the normal test rows and flags uniform outliers among new rows', async () => {
    const normal = tabularRows(200, 7, false);
    const odd = tabularRows(50, 8, true);
    const mixed = file(
      'mixed.csv',
      csv(
        ['id', ...COLUMNS.slice().reverse()],
        [...normal, ...odd].map((r, i) => [`row${i}`, ...r.slice().reverse()]),
      ),
    );
    expect(await main(['calibrate', tabular, '--fpr', '0.05'])).toBe(0);
    const out = join(dir, 'tabular-scores.csv');
    expect(await main(['score', tabular, '--input', mixed, '--out', out])).toBe(0);
    const rows = readCsv(out).slice(1);
    const scores = rows.map((r) => Number(r[1]));
    const isOdd = rows.map((_, i) => i >= 200);
    const a = auroc(scores, isOdd);
    const fpr = rows.slice(0, 200).filter((r) => r[2] === '1').length / 200;
    const tpr = rows.slice(200).filter((r) => r[2] === '1').length / 50;
    console.log(`tabular: AUROC ${a.toFixed(3)}, flagged ${(100 * tpr).toFixed(0)}% of outliers and ${(100 * fpr).toFixed(1)}% of normal rows`);
    // Measured here: AUROC ≈ 0.99. Uniform points in the box are far off the 2-D manifold.
    expect(a).toBeGreaterThan(0.9);
    expect(tpr).toBeGreaterThan(0.7);
    expect(fpr).toBeLessThan(0.15);
    const rec = join(dir, 'tabular-rec.csv');
    expect(await main(['denoise', tabular, '--input', mixed, '--out', rec, '--limit', '5'])).toBe(0);
    const back = readCsv(rec);
    expect(back[0]).toEqual(['line', ...COLUMNS]);
    // Normal rows come back in the file's units, near where they were.
    expect(Math.abs(Number(back[1]![1]) - normal[0]![0]!)).toBeLessThan(0.5);
    expect(await main(['latent-map', tabular, '--input', mixed, '--out', join(dir, 'tabular-map.png')])).toBe(0);
  });
});
