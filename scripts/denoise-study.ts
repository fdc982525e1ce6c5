/**
 * The denoising figures of docs/uses.md, from the command a user runs. Takes the first N held-out
 * embedded MNIST digits (grey levels), writes them with noise as PNGs (8-bit, as a user's files
 * would be), runs `elbo denoise <run>` on that folder for every run given, and prints the mean PSNR
 * against the clean digits of the noisy input, of a 3×3 median filter and of each run's output.
 *
 *   npx tsx scripts/denoise-study.ts <run-dir> [<run-dir> …] [--n 500] [--sigma 0.3] [--fraction 0.2] [--seed 7]
 *
 * Each run reconstructs the clean digits (its ceiling), then denoises Gaussian noise σ (clipped to
 * [0, 1]) and salt-and-pepper on a share `fraction` of the pixels.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadMnist, readPngFolder, writePngFolder } from '@elbo/datasets';
import { addGaussianNoise, addSaltAndPepper, psnr } from '@elbo/uses';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    n: { type: 'string', default: '500' },
    sigma: { type: 'string', default: '0.3' },
    fraction: { type: 'string', default: '0.2' },
    seed: { type: 'string', default: '7' },
  },
});
if (positionals.length === 0) throw new Error('usage: tsx scripts/denoise-study.ts <run-dir> [<run-dir> …] [--n 500] [--sigma 0.3] [--fraction 0.2] [--seed 7]');
const [n, sigma, fraction, seed] = [Number(values.n), Number(values.sigma), Number(values.fraction), Number(values.seed)];
const D = 784;
const shape = [28, 28, 1] as const;

/** 3×3 median filter of one 28×28 image, edges replicated. */
function median3x3(img: Float32Array, h = 28, w = 28): Float32Array {
  const out = new Float32Array(img.length);
  const win = new Float32Array(9);
  for (let r = 0; r < h; r++)
    for (let c = 0; c < w; c++) {
      let k = 0;
      for (let dr = -1; dr <= 1; dr++) for (let dc = -1; dc <= 1; dc++) win[k++] = img[Math.min(h - 1, Math.max(0, r + dr)) * w + Math.min(w - 1, Math.max(0, c + dc))]!;
      win.sort();
      out[r * w + c] = win[4]!;
    }
  return out;
}

async function rowsOf(dir: string): Promise<Float32Array> {
  const { split } = await readPngFolder(dir, shape);
  const out = new Float32Array(split.size * split.dim);
  split.read(
    Int32Array.from({ length: split.size }, (_, i) => i),
    out,
  );
  return out;
}

const data = await loadMnist({ binarize: 'none', limit: { test: n } });
const clean = new Float32Array(n * D);
data.test.read(
  Int32Array.from({ length: n }, (_, i) => i),
  clean,
);
const work = mkdtempSync(join(tmpdir(), 'elbo-denoise-'));
const names = Array.from({ length: n }, (_, i) => `digit-${String(i).padStart(4, '0')}.png`);
const noises = [
  { label: 'none (clean input: the reconstruction ceiling)', make: () => clean },
  { label: `Gaussian σ = ${sigma}, clipped`, make: () => addGaussianNoise(clean, sigma, seed) },
  { label: `salt-and-pepper, ${Math.round(fraction * 100)} % of pixels`, make: () => addSaltAndPepper(clean, fraction, seed) },
];
const rows: string[] = [];
try {
  for (const noise of noises) {
    const dir = join(work, 'noisy');
    rmSync(dir, { recursive: true, force: true });
    await writePngFolder(dir, names, noise.make(), [...shape]);
    const noisy = await rowsOf(dir);
    const median = new Float32Array(n * D);
    for (let i = 0; i < n; i++) median.set(median3x3(noisy.subarray(i * D, (i + 1) * D)), i * D);
    const cells = [psnr(clean, noisy, { dim: D }), psnr(clean, median, { dim: D })];
    for (const run of positionals) {
      const out = join(work, 'out');
      rmSync(out, { recursive: true, force: true });
      execFileSync('npx', ['elbo', 'denoise', run, '--input', dir, '--out', out], { stdio: ['ignore', 'ignore', 'inherit'] });
      cells.push(psnr(clean, await rowsOf(out), { dim: D }));
    }
    rows.push(`| ${noise.label} | ${cells.map((v) => v.toFixed(2)).join(' | ')} |`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(
  `Mean PSNR (dB) against the clean digits, first ${n} held-out embedded MNIST digits, noise seed ${seed}; ${cpus().length}-core ${cpus()[0]?.model.trim()}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
);
console.log(`| noise | input | 3×3 median | ${positionals.map((r) => `\`elbo denoise\` ${r}`).join(' | ')} |`);
console.log(`|---|---:|---:|${positionals.map(() => '---:').join('|')}|`);
for (const r of rows) console.log(r);
