import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeExamples, latentKnnScores, pngBits, scoreExamples, type Encodings } from '@elbo/uses';
import { loadConfig, openRun, RandomStream, resolveConfig, SilentLogger, trainRun, type OpenRun } from '@elbo/core';
import { main } from '../src/main.js';
import { setup } from '../src/setup.js';
import { captureOutput, tempDir, writeConfig } from './helpers.js';

/**
 * The complexity-corrected, likelihood-ratio and latent nearest-neighbour scores on a small real model (MLP 784-100-8 on
 * 1,000 embedded digits, 2 epochs, WASM) and its background model (the same, trained on the digits
 * with salt-and-pepper noise, `target: corrupted`). How well they detect a held-out class is
 * measured by scripts/anomaly-study.ts (docs/uses.md); here: what they compute, and the CLI.
 */
const dir = tempDir('elbo-anomaly-scores-');
let [fg, bg] = ['', ''];
const opened: OpenRun[] = [];
const io = captureOutput();

async function train(name: string, data: Record<string, unknown>): Promise<string> {
  const file = writeConfig(
    dir,
    {
      experiment: name,
      data: { name: 'mnist', limit: { train: 1000, test: 100 }, ...data },
      model: { latent: 8, encoder: { name: 'mlp', hidden: [100] }, decoder: { name: 'mlp', hidden: [100] } },
      train: { epochs: 2, batchSize: 100 },
      eval: { k: 0 },
      tracking: { local: {} },
    },
    `${name}.yaml`,
  );
  const { registry, container } = await setup();
  return (await trainRun({ config: resolveConfig(await loadConfig(file), registry, file), registry, container, logger: new SilentLogger() })).runDir;
}

beforeAll(async () => {
  fg = await train('fg', {});
  bg = await train('bg', { corrupt: { name: 'salt-and-pepper', fraction: 0.2, target: 'corrupted' } });
});
afterAll(() => opened.forEach((r) => r.dispose()));

describe('complexity and likelihood-ratio scores', () => {
  it('complexity = IWAE −log p̂(x) in bits − PNG bits; likelihood-ratio = IWAE of the model − IWAE of the background, same draws', async () => {
    const { registry, container } = await setup();
    const [m, b] = await Promise.all([fg, bg].map((r) => openRun(r, { registry, container, logger: new SilentLogger() })));
    opened.push(m!, b!);
    const split = m!.dataset.test;
    const opts = { k: 5, limit: 40, batchSize: 20 };
    const iwae = await scoreExamples(m!.model, split, new RandomStream('s', 1), { ...opts, score: 'iwae' });
    const complexity = await scoreExamples(m!.model, split, new RandomStream('s', 1), { ...opts, score: 'complexity' });
    const rows = new Float32Array(40 * 784);
    split.read(
      Int32Array.from({ length: 40 }, (_, i) => i),
      rows,
    );
    const bits = pngBits(rows, [28, 28, 1]);
    complexity.forEach((v, i) => expect(v).toBeCloseTo(iwae[i]! / Math.LN2 - bits[i]!, 2));
    const s = new RandomStream('t', 2);
    const [fgNll, bgNll] = [await scoreExamples(m!.model, split, s, { ...opts, score: 'iwae' }), await scoreExamples(b!.model, split, s, { ...opts, score: 'iwae' })];
    // Progress counts the two passes (model, background) as one piece of work: 20, 40, …, 80 of 80.
    const calls: number[][] = [];
    const onProgress = (done: number, total: number) => calls.push([done, total]);
    const ratio = await scoreExamples(m!.model, split, new RandomStream('t', 2), { ...opts, score: 'likelihood-ratio', background: b!.model, onProgress });
    expect(calls).toEqual([20, 40, 60, 80].map((d) => [d, 80]));
    ratio.forEach((v, i) => expect(v).toBeCloseTo(fgNll[i]! - bgNll[i]!, 3));
    expect(bgNll.some((v, i) => Math.abs(v - fgNll[i]!) > 1)).toBe(true); // the background is a different model
    await expect(scoreExamples(m!.model, split, s, { ...opts, score: 'likelihood-ratio' })).rejects.toThrow(/background model/);
  });

  it('elbo score --score complexity | likelihood-ratio --background writes the score columns; a missing or stray --background exits 2', async () => {
    const out = join(dir, 'lr.csv');
    expect(await main(['score', fg, '--score', 'likelihood-ratio', '--background', bg, '--k', '4', '--limit', '30', '--out', out])).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('index,label,likelihood-ratio-k4');
    expect(lines).toHaveLength(31);
    expect(await main(['score', fg, '--score', 'complexity', '--k', '4', '--limit', '30', '--out', join(dir, 'c.csv')])).toBe(0);
    expect(readFileSync(join(dir, 'c.csv'), 'utf8').split('\n')[0]).toBe('index,label,complexity-k4');
    io.clear();
    expect(await main(['score', fg, '--score', 'likelihood-ratio', '--out', join(dir, 'x.csv')])).toBe(2);
    expect(io.err).toContain('give --background <run-dir>');
    expect(await main(['score', fg, '--background', bg, '--out', join(dir, 'x.csv')])).toBe(2);
    expect(io.err).toContain('only used with --score likelihood-ratio');
  });

  it('latent-knn is the cosine distance from μ(x) to the k-th nearest training code (skipping its own on the training rows), posterior-knn the same on (μ, log σ); elbo score and calibrate take --neighbours', async () => {
    const { registry, container } = await setup();
    const m = await openRun(fg, { registry, container, logger: new SilentLogger() });
    opened.push(m);
    const [train, test] = [m.dataset.train, m.dataset.test];
    const [ref, rows] = [await encodeExamples(m.model, train), await encodeExamples(m.model, test, { limit: 30 })];
    const L = ref.dim;
    // Row i's features, normalised: μ alone, or μ and log σ side by side.
    const unit = (e: Encodings, i: number, posterior: boolean) => {
      const r = Array.from(e.mean.subarray(i * L, (i + 1) * L));
      if (posterior) r.push(...Array.from(e.sigma.subarray(i * L, (i + 1) * L), Math.log));
      const n = Math.hypot(...r);
      return r.map((x) => x / n);
    };
    const brute = (e: Encodings, i: number, k: number, posterior = false, skip?: number) => {
      const u = unit(e, i, posterior);
      const d = Array.from({ length: ref.n }, (_, j) => unit(ref, j, posterior))
        .flatMap((r, j) => (j === skip ? [] : [1 - r.reduce((s, x, t) => s + x * u[t]!, 0)]))
        .sort((a, b) => a - b);
      return d[k - 1]!;
    };
    const scores = await latentKnnScores(m.model, test, train, { neighbours: 3, limit: 30 });
    expect(scores).toHaveLength(30);
    scores.forEach((v, i) => expect(v).toBeCloseTo(brute(rows, i, 3), 4));
    // On the training rows themselves a row's own code (distance 0) is not its neighbour.
    const own = await latentKnnScores(m.model, train, train, { neighbours: 1, limit: 20 });
    own.forEach((v, i) => expect(v).toBeCloseTo(brute(ref, i, 1, false, i), 4));
    expect(Math.min(...own)).toBeGreaterThan(1e-4);
    // Progress counts the training rows encoded first, then the scored rows, as one piece of work.
    const calls: number[][] = [];
    await latentKnnScores(m.model, test, train, { neighbours: 3, limit: 30, onProgress: (done, total) => calls.push([done, total]) });
    const total = train.size + 30;
    expect(calls.every(([d, t], i) => t === total && d! > (calls[i - 1]?.[0] ?? 0))).toBe(true);
    expect(calls.map(([d]) => d)).toContain(train.size);
    expect(calls.at(-1)).toEqual([total, total]);
    const post = await scoreExamples(m.model, test, new RandomStream('s', 1), { score: 'posterior-knn', reference: train, neighbours: 3, limit: 30 });
    post.forEach((v, i) => expect(v).toBeCloseTo(brute(rows, i, 3, true), 4));
    // log σ moves the distances: the two scores differ.
    expect(Math.max(...post.map((v, i) => Math.abs(v - scores[i]!)))).toBeGreaterThan(1e-3);
    await expect(latentKnnScores(m.model, test, train, { neighbours: 0 })).rejects.toThrow(/neighbours: expected a positive integer, got 0/);
    await expect(scoreExamples(m.model, test, new RandomStream('s', 1), { score: 'latent-knn' })).rejects.toThrow(/reference rows/);

    const out = join(dir, 'knn.csv');
    expect(await main(['score', fg, '--score', 'latent-knn', '--neighbours', '3', '--limit', '30', '--out', out])).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('index,label,latent-knn-n3');
    lines.slice(1).forEach((l, i) => expect(Number(l.split(',')[2])).toBeCloseTo(scores[i]!, 5));
    expect(await main(['calibrate', fg, '--score', 'latent-knn', '--neighbours', '3', '--fpr', '0.1'])).toBe(0);
    expect(await main(['score', fg, '--score', 'latent-knn', '--neighbours', '3', '--limit', '30', '--out', out])).toBe(0);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('index,label,latent-knn-n3,anomaly');
    io.clear();
    expect(await main(['score', fg, '--neighbours', '3', '--out', join(dir, 'x.csv')])).toBe(2);
    expect(io.err).toContain('--neighbours: only used with --score latent-knn or posterior-knn (the score is neg-elbo)');
    expect(await main(['score', fg, '--score', 'posterior-knn', '--neighbours', '3', '--limit', '30', '--out', out])).toBe(0);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('index,label,posterior-knn-n3');
  });
});
