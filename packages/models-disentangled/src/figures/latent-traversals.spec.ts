import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import {
  DiagonalGaussian,
  NO_PARAMETERS,
  VaeModel,
  decodePng,
  mulberry32,
  type Dataset,
  type DataSplit,
  type Decoder,
  type Encoder,
  type ModelShape,
  type Prior,
  AnalyticKl,
  BernoulliLikelihood,
  StandardNormalPrior,
} from '@elbo/core';
import { selectBackend } from '@elbo/compute';
import { latentTraversalFigures, latentTraversals, traversalOrder } from './latent-traversals.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const H = 4;
const W = 4;
const DIM = H * W;
const L = 3;

function split(n: number, seed: number): DataSplit {
  const u = mulberry32(seed);
  const data = Float32Array.from({ length: n * DIM }, () => u());
  return { size: n, dim: DIM, read: (idx, out) => Array.from(idx).forEach((i, k) => out.set(data.subarray(i * DIM, (i + 1) * DIM), k * DIM)) };
}

function dataset(shape: readonly number[] = [H, W, 1]): Dataset {
  return { name: 'tiny', shape, support: 'binary', train: split(20, 1), test: split(20, 2), describe: () => 'tiny' };
}

/**
 * μ(x) = x·A with A's column 1 large, column 2 small and column 0 zero, log σ² = −1: the KL per
 * dimension ranks 1, 2, 0. The decoder's logits z·V ignore z_0 (V's row 0 is zero).
 */
function model(prior: Prior = new StandardNormalPrior(L), conditionDim = 0): VaeModel {
  const A = tf.tensor2d(
    Array.from({ length: DIM * L }, (_, k) => [0, 0.5, 0.1][k % L]!),
    [DIM, L],
  );
  const V = tf.tensor2d(
    Array.from({ length: L * DIM }, (_, k) => (k < DIM ? 0 : k % 3 === 0 ? 2 : -1)),
    [L, DIM],
  );
  const encoder: Encoder = { parameters: () => NO_PARAMETERS, encode: (x) => new DiagonalGaussian(tf.matMul(x, A), tf.fill([x.shape[0], L], -1) as tf.Tensor2D) };
  const decoder: Decoder = { parameters: () => NO_PARAMETERS, decode: (z) => ({ logits: tf.matMul(z, V) }) };
  const shape: ModelShape = { dataShape: [H, W, 1], dataDim: DIM, latentDim: L, conditionDim, likelihoodParams: ['logits'], datasetSize: 20 };
  return new VaeModel(shape, encoder, decoder, prior, new BernoulliLikelihood(), new AnalyticKl(1), { factor: () => 1 });
}

describe('latent traversals', () => {
  it('ranks the latent dimensions by mean KL, descending', async () => {
    const { order, score, measure } = await traversalOrder(model(), dataset());
    expect(measure).toBe('kl');
    expect(order).toEqual([1, 2, 0]);
    expect(score[0]).toBeCloseTo(0.5 * Math.exp(-1), 5); // μ = 0: only the variance term
  });

  it('ranks by the variance of the posterior means when the prior has no closed form', async () => {
    const gaussianless = Object.assign(Object.create(StandardNormalPrior.prototype), new StandardNormalPrior(L), { gaussian: false }) as Prior;
    const { order, measure, score } = await traversalOrder(model(gaussianless), dataset());
    expect(measure).toBe('mean-variance');
    expect(order).toEqual([1, 2, 0]);
    expect(score[0]).toBeCloseTo(0, 6);
  });

  it('draws one row per dimension: each test image, then its sweep over [−3, 3]', async () => {
    const m = model();
    await latentTraversals(m, dataset(), { images: 3, steps: 10 });
    const before = tf.memory().numTensors;
    const png = await latentTraversals(m, dataset(), { images: 3, steps: 10 });
    expect(tf.memory().numTensors).toBe(before);
    const img = decodePng(png!);
    const gap = 2;
    const cols = 3 * (10 + 1);
    expect([img.width, img.height]).toEqual([cols * W + (cols + 1) * gap, L * H + (L + 1) * gap]);
    /** The grey levels of cell (row, col). */
    const cell = (row: number, col: number) => {
      const out: number[] = [];
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) out.push(img.data[((gap + row * (H + gap) + y) * img.width + gap + col * (W + gap) + x) * 4]!);
      }
      return out;
    };
    // Row 0 sweeps dimension 1 (largest KL), which the decoder uses: the ends of its sweep differ.
    expect(cell(0, 1)).not.toEqual(cell(0, 10));
    // The last row sweeps dimension 0, which the decoder ignores: its sweep is constant.
    expect(cell(2, 1)).toEqual(cell(2, 10));
    // The first cell of each block is the test image itself (same in every row).
    expect(cell(0, 11)).toEqual(cell(2, 11));
  });

  it('is a run figure for image data only, and not for conditional models', async () => {
    expect((await latentTraversalFigures(model(), dataset())).map((f) => f.file)).toEqual(['latent-traversals.png']);
    expect(await latentTraversals(model(), dataset([DIM]))).toBeUndefined();
    expect(await latentTraversalFigures(model(undefined, 2), dataset())).toEqual([]);
  });
});
