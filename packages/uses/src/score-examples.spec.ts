import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DiagonalGaussian,
  Bernoulli,
  type DataSplit,
  type Decoder,
  type Encoder,
  type Likelihood,
  type Prior,
  NO_PARAMETERS,
  VaeModel,
  mulberry32,
  RandomStream,
  evaluate,
} from '@elbo/core';
import { selectBackend } from '@elbo/compute';
import { encodeExamples } from './encode-examples.js';
import { latentMap } from './latent-map.js';
import { reconstructExamples } from './reconstruct-examples.js';
import { scoreExamples } from './score-examples.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const D = 12;

function split(n: number): DataSplit & { values: Float32Array } {
  const u = mulberry32(5);
  const values = Float32Array.from({ length: n * D }, () => (u() < 0.3 ? 1 : 0));
  const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
  return { size: n, dim: D, values, labels, read: (idx, out) => Array.from(idx).forEach((i, k) => out.set(values.subarray(i * D, (i + 1) * D), k * D)) };
}

/** μ = x·A, log σ² = −1 + x·a; logits = z·V: a fixed linear model with a Bernoulli likelihood and N(0, I) prior. */
function model(L: number): VaeModel {
  const u = mulberry32(11);
  const A = tf.tensor2d(
    Array.from({ length: D * L }, () => u() - 0.5),
    [D, L],
  );
  const a = tf.tensor2d(
    Array.from({ length: D * L }, () => 0.2 * (u() - 0.5)),
    [D, L],
  );
  const V = tf.tensor2d(
    Array.from({ length: L * D }, () => 2 * (u() - 0.5)),
    [L, D],
  );
  const encoder: Encoder = { parameters: () => NO_PARAMETERS, encode: (x) => new DiagonalGaussian(tf.matMul(x, A), tf.add(tf.matMul(x, a), -1) as tf.Tensor2D) };
  const decoder: Decoder = { parameters: () => NO_PARAMETERS, decode: (z) => ({ logits: tf.matMul(z, V) }) };
  const likelihood: Likelihood = {
    paramNames: ['logits'],
    parameters: () => NO_PARAMETERS,
    logProb: (x, p) => new Bernoulli(p['logits']!).logProb(x) as tf.Tensor1D,
    mean: (p) => tf.sigmoid(p['logits']!),
    sample: (p, seed) => new Bernoulli(p['logits']!).sample(seed) as tf.Tensor2D,
  };
  const prior: Prior = {
    gaussian: true,
    parameters: () => NO_PARAMETERS,
    distribution: (n) => DiagonalGaussian.standard(n, L),
    logProb: (z) => tf.mul(tf.sum(tf.add(tf.square(z), Math.log(2 * Math.PI)), -1), -0.5),
    sample: (n, seed) => tf.randomNormal([n, L], 0, 1, 'float32', seed),
  };
  const divergence = { parameters: () => NO_PARAMETERS, terms: () => ({ total: tf.scalar(0), parts: {} }) };
  return new VaeModel(
    { dataShape: [D], dataDim: D, latentDim: L, conditionDim: 0, likelihoodParams: ['logits'], datasetSize: 50 },
    encoder,
    decoder,
    prior,
    likelihood,
    divergence,
    { factor: () => 1 },
  );
}

const mean = (v: ArrayLike<number>) => Array.from(v).reduce((s, x) => s + x, 0) / v.length;

describe('scoreExamples', () => {
  const data = split(50);
  let m: VaeModel;
  beforeAll(() => {
    m = model(3);
  });

  it('neg-elbo and iwae scores average to exactly what evaluate reports on the same stream', async () => {
    const ev = await evaluate(m, data, new RandomStream('s', 1), { k: 16, batchSize: 20 });
    const elbo = await scoreExamples(m, data, new RandomStream('s', 1), { score: 'neg-elbo', batchSize: 20 });
    const iwae = await scoreExamples(m, data, new RandomStream('s', 1), { score: 'iwae', k: 16, batchSize: 20 });
    expect(elbo.length).toBe(50);
    expect(mean(elbo)).toBeCloseTo(ev.negElbo, 4);
    expect(mean(iwae)).toBeCloseTo(ev.iwae!, 4);
    expect(mean(iwae)).toBeLessThan(mean(elbo)); // the IWAE bound is tighter
  });

  it('recon is the squared error of the deterministic reconstruction, row by row', async () => {
    const rec = await reconstructExamples(m, data, { batchSize: 7 });
    const scores = await scoreExamples(m, data, new RandomStream('s', 1), { score: 'recon', batchSize: 7 });
    for (const i of [0, 13, 49]) {
      let se = 0;
      for (let j = 0; j < D; j++) se += (data.values[i * D + j]! - rec[i * D + j]!) ** 2;
      expect(scores[i]).toBeCloseTo(se, 4);
    }
  });

  it('respects limit, repeats with the same stream, and leaks no tensors', async () => {
    await scoreExamples(m, data, new RandomStream('s', 2), { score: 'iwae', k: 4 });
    const before = tf.memory().numTensors;
    const a = await scoreExamples(m, data, new RandomStream('s', 2), { score: 'iwae', k: 4, limit: 30 });
    const b = await scoreExamples(m, data, new RandomStream('s', 2), { score: 'iwae', k: 4, limit: 30 });
    expect(tf.memory().numTensors).toBe(before);
    expect(a.length).toBe(30);
    expect(Array.from(a)).toEqual(Array.from(b));
    await expect(scoreExamples(m, data, new RandomStream('s', 2), { score: 'iwae', k: 0 })).rejects.toThrow('k: expected a positive integer, got 0');
  });
});

describe('encodeExamples and latentMap', () => {
  const data = split(40);

  it('gives μ and σ of q(z|x) per row with the split’s labels', async () => {
    const m = model(3);
    const enc = await encodeExamples(m, data, { batchSize: 16 });
    expect([enc.n, enc.dim, enc.mean.length, enc.sigma.length]).toEqual([40, 3, 120, 120]);
    expect(Array.from(enc.labels!.slice(0, 4))).toEqual([0, 1, 2, 0]);
    const q = tf.tidy(() => {
      const g = m.encode(tf.tensor2d(data.values.subarray(5 * D, 6 * D), [1, D])) as DiagonalGaussian;
      return tf.concat([g.mean, g.stddev()], 1);
    });
    const want = await q.data();
    q.dispose();
    for (let j = 0; j < 3; j++) {
      expect(enc.mean[5 * 3 + j]).toBeCloseTo(want[j]!, 5);
      expect(enc.sigma[5 * 3 + j]).toBeCloseTo(want[3 + j]!, 5);
    }
  });

  it('maps 2-D latents as they are and larger ones by PCA', async () => {
    const flat = await latentMap(model(2), data);
    expect(flat.method).toBe('latent');
    expect(flat.points).toEqual((await encodeExamples(model(2), data)).mean);
    const pca = await latentMap(model(3), data, { limit: 30 });
    expect([pca.method, pca.n, pca.points.length]).toEqual(['pca', 30, 60]);
    expect(pca.explained![0]).toBeGreaterThanOrEqual(pca.explained![1]!);
    expect(pca.axes[0]).toMatch(/^PC1 \(\d+% of variance\)$/);
    await expect(latentMap(model(3), data, { method: 'latent' })).rejects.toThrow('has 3 dimensions (use "pca")');
    await expect(latentMap(model(1), data)).rejects.toThrow('1-dimensional');
  });

  it('embeds with UMAP on request, the same layout for the same seed', async () => {
    const a = await latentMap(model(3), data, { method: 'umap', seed: 3 });
    const b = await latentMap(model(3), data, { method: 'umap', seed: 3 });
    expect([a.method, a.n, a.points.length, a.axes[0]]).toEqual(['umap', 40, 80, 'UMAP 1']);
    expect(Array.from(a.points).every(Number.isFinite)).toBe(true);
    expect(Array.from(b.points)).toEqual(Array.from(a.points));
  });
});
