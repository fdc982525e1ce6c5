import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addGaussianNoise, addSaltAndPepper, encodeExamples, latentMap, psnr, reconstructExamples } from '@elbo/uses';
import { loadConfig, mulberry32, openRun, resolveConfig, SilentLogger, trainRun, type DataSplit, type OpenRun } from '@elbo/core';
import { MlpClassifier } from '@elbo/core/testing';
import { InMemorySplit, loadMnist } from '@elbo/datasets';
import { setup } from '../src/setup.js';
import { tempDir, writeConfig } from './helpers.js';

/**
 * What a trained model is for, measured on real digits: one MLP VAE (784-200-10, Bernoulli,
 * 5 epochs on the first 5,000 embedded training digits, WASM) trained once, then denoising,
 * latent features and the latent map on held-out digits.
 */
let run: OpenRun;
let grey: DataSplit; // held-out digits as grey levels in [0,1] (the clean reference)
const started = performance.now();

function rows(split: DataSplit, n: number, from = 0): Float32Array {
  const out = new Float32Array(n * split.dim);
  split.read(
    Int32Array.from({ length: n }, (_, i) => from + i),
    out,
  );
  return out;
}

beforeAll(async () => {
  const dir = tempDir();
  const file = writeConfig(dir, {
    data: { name: 'mnist', binarize: 'dynamic', limit: { train: 5000 } },
    train: { epochs: 5, batchSize: 100 },
    eval: { k: 0, limit: 200 },
    tracking: { local: {} },
  });
  const { registry, container } = await setup();
  const config = resolveConfig(await loadConfig(file), registry, file);
  const { runDir } = await trainRun({ config, registry, container, logger: new SilentLogger() });
  run = await openRun(runDir, { registry, container, logger: new SilentLogger() });
  grey = (await loadMnist({ binarize: 'none' })).test;
  console.log(`uses-quality: trained in ${((performance.now() - started) / 1000).toFixed(1)} s`);
});
afterAll(() => run?.dispose());

describe('denoising held-out digits (500 test digits, grey levels in [0,1])', () => {
  it('salt-and-pepper noise on 20% of the pixels: the reconstructions are clearly closer to the clean digits than the noisy inputs', async () => {
    const clean = rows(grey, 500);
    const denoise = (x: Float32Array) => reconstructExamples(run.model, new InMemorySplit(x, grey.dim));
    const report = async (noise: string, noisy: Float32Array) => {
      const [before, after] = [psnr(clean, noisy, { dim: grey.dim }), psnr(clean, await denoise(noisy), { dim: grey.dim })];
      console.log(`denoise (${noise}): PSNR noisy ${before.toFixed(2)} dB → reconstructed ${after.toFixed(2)} dB`);
      return { before, after };
    };
    const sp = await report('salt-and-pepper 20%', addSaltAndPepper(clean, 0.2, 17));
    // For the record, not asserted: Gaussian σ = 0.3 (clipped) measured 13.3 → 12.7 dB — a plain VAE
    // trained on clean digits does NOT remove it (the grey background is far outside what its
    // encoder saw, so codes drift to bold digits; reconstructing clean digits reaches only 14.6 dB).
    await report('Gaussian σ = 0.3, clipped', addGaussianNoise(clean, 0.3, 17));
    // Measured here: salt-and-pepper 10.2 → 13.5 dB (mean per-digit PSNR). +2 dB is 37% less
    // squared error — clearly better, and beyond run-to-run variation (±0.3 dB).
    expect(sp.after).toBeGreaterThan(sp.before + 2);
  });
});

describe('latent means as features', () => {
  it('logistic regression on the 10 latent means beats it on 10 random projections of the pixels', async () => {
    const [nTrain, nTest] = [2000, 1000];
    const L = run.model.shape.latentDim;
    const train = await encodeExamples(run.model, run.dataset.train, { limit: nTrain });
    const test = await encodeExamples(run.model, run.dataset.test, { limit: nTest });
    // Random projection: pixels x [n, 784] times R [784, L], R_ij ~ N(0, 1/784) (Johnson–Lindenstrauss).
    const u = mulberry32(5);
    const R = Float32Array.from({ length: grey.dim * L }, () => (Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u())) / Math.sqrt(grey.dim));
    const project = (x: Float32Array) => {
      const t = tf.tidy(() => tf.matMul(tf.tensor2d(x, [x.length / grey.dim, grey.dim]), tf.tensor2d(R, [grey.dim, L])));
      const v = t.dataSync() as Float32Array;
      t.dispose();
      return v;
    };
    const accuracy = async (xTrain: Float32Array, xTest: Float32Array) => {
      const clf = new MlpClassifier(L, 10, { hidden: [], epochs: 30, batchSize: 100, lr: 0.01, seed: 1 });
      try {
        await clf.fit(xTrain, train.labels!);
        return await clf.accuracy(xTest, test.labels!);
      } finally {
        clf.dispose();
      }
    };
    const latent = await accuracy(train.mean, test.mean);
    const random = await accuracy(project(rows(run.dataset.train, nTrain)), project(rows(run.dataset.test, nTest)));
    console.log(`features: logistic regression test accuracy — latent means ${(100 * latent).toFixed(1)}%, random projections ${(100 * random).toFixed(1)}% (${L} dims each)`);
    // Measured here: latent 72.6%, random projections 39.8%. Requiring a 15-point lead (and > 60%)
    // is well outside seed noise (±3 points on 1,000 test digits) and is what "better features" means.
    expect(latent).toBeGreaterThan(0.6);
    expect(latent).toBeGreaterThan(random + 0.15);
  });
});

describe('latent map', () => {
  /** Share of points whose nearest neighbour in the 2-D map has the same label. */
  function neighbourAgreement(points: Float32Array, labels: Int32Array): number {
    const n = labels.length;
    let same = 0;
    for (let i = 0; i < n; i++) {
      let best = -1;
      let bestD = Infinity;
      for (let j = 0; j < n; j++) {
        const d = j === i ? Infinity : (points[2 * i]! - points[2 * j]!) ** 2 + (points[2 * i + 1]! - points[2 * j + 1]!) ** 2;
        if (d < bestD) [bestD, best] = [d, j];
      }
      same += labels[best] === labels[i] ? 1 : 0;
    }
    return same / n;
  }

  it('maps the 10-D latent means by PCA, and by UMAP with much better kept neighbourhoods', async () => {
    const pca = await latentMap(run.model, run.dataset.test, { limit: 1000 });
    expect([pca.method, pca.n, pca.points.length]).toEqual(['pca', 1000, 2000]);
    const t0 = performance.now();
    const umap = await latentMap(run.model, run.dataset.test, { limit: 1000, method: 'umap', seed: 1 });
    const umapSeconds = (performance.now() - t0) / 1000;
    const [p, u] = [neighbourAgreement(pca.points, pca.labels!), neighbourAgreement(umap.points, umap.labels!)];
    console.log(
      `latent map: PCA explains ${pca.explained!.map((e) => (100 * e).toFixed(0) + '%').join(' + ')}; 1-NN label agreement in 2-D: PCA ${(100 * p).toFixed(1)}%, UMAP ${(100 * u).toFixed(1)}% (${umapSeconds.toFixed(1)} s)`,
    );
    // Measured here: PCA 36%, UMAP ≈ 70% (chance: 10%). The floors keep PCA well above chance and
    // UMAP clearly ahead of it — the reason it is offered despite costing seconds.
    expect(p).toBeGreaterThan(0.25);
    expect(u).toBeGreaterThan(p + 0.15);
    console.log(`uses-quality: total ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });
});
