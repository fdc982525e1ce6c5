import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ConfigError } from '@elbo/core';
import { GaussianCorruption, SaltAndPepperCorruption } from './corrupt.js';
import { loadMnist } from '../mnist/load-mnist.js';
import { loadIdx } from '../idx/load-idx.js';

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
});

function stats(x: Float32Array, y: Float32Array): { changed: number; meanDiff: number; sdDiff: number } {
  let [changed, s, s2] = [0, 0, 0];
  for (let i = 0; i < x.length; i++) {
    const d = y[i]! - x[i]!;
    if (d !== 0) changed++;
    s += d;
    s2 += d * d;
  }
  const m = s / x.length;
  return { changed: changed / x.length, meanDiff: m, sdDiff: Math.sqrt(s2 / x.length - m * m) };
}

describe('data.corrupt transforms', () => {
  it('gaussian: unclipped noise has the asked-for σ around the input, clipped stays in [0, 1]; seeded; no leaked tensors', async () => {
    const x0 = new Float32Array(20_000).fill(0.5);
    const x = tf.tensor2d(x0, [20, 1000]);
    const raw = (await new GaussianCorruption(0.3, false).apply(x, 5).data()) as Float32Array;
    const st = stats(x0, raw);
    expect(Math.abs(st.meanDiff)).toBeLessThan(0.01);
    expect(st.sdDiff).toBeCloseTo(0.3, 1);
    const g = new GaussianCorruption(0.3);
    const [a, b, c] = await Promise.all([g.apply(x, 5).data(), g.apply(x, 5).data(), g.apply(x, 6).data()]);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(c)).not.toEqual(Array.from(a));
    expect(Math.min(...a) >= 0 && Math.max(...a) <= 1).toBe(true);
    expect(Math.min(...a) === 0 && Math.max(...a) === 1).toBe(true); // σ = 0.3 around 0.5 reaches both ends
    tf.dispose(x);
    const kept = tf.memory().numTensors;
    const y = tf.tidy(() => tf.tensor2d(x0, [20, 1000]));
    const out = [g.apply(y, 1), new SaltAndPepperCorruption(0.1).apply(y, 1)];
    expect(tf.memory().numTensors).toBe(kept + 3); // the input and the two outputs: no intermediates left
    tf.dispose([y, ...out]);
  });

  it('salt-and-pepper: about `fraction` of the values become 0 or 1 (half each), the rest are untouched', async () => {
    const x0 = new Float32Array(40_000).fill(0.5);
    const y = (await tf.tidy(() => new SaltAndPepperCorruption(0.2).apply(tf.tensor2d(x0, [40, 1000]), 9)).data()) as Float32Array;
    const ones = y.filter((v) => v === 1).length / y.length;
    const zeros = y.filter((v) => v === 0).length / y.length;
    expect(ones + zeros).toBeCloseTo(0.2, 1);
    expect(Math.abs(ones - zeros)).toBeLessThan(0.02);
    expect(y.every((v) => v === 0 || v === 1 || v === 0.5)).toBe(true);
  });

  it('mnist and idx take data.corrupt; a dataset without it has no corruption; bad options are config errors', async () => {
    const d = await loadMnist({ binarize: 'none', limit: { train: 10, test: 10 }, corrupt: { name: 'gaussian', sigma: 0.25 } });
    expect(d.corrupt?.name).toBe('corrupt/gaussian(σ=0.25, clipped)');
    expect(d.describe()).toContain('denoising: training inputs corrupt/gaussian(σ=0.25, clipped)');
    expect((await loadMnist({ limit: { train: 10, test: 10 }, corrupt: { name: 'salt-and-pepper' } })).corrupt?.name).toBe('corrupt/salt-and-pepper(0.2)');
    expect((await loadMnist({ limit: { train: 10, test: 10 } })).corrupt).toBeUndefined();
    await expect(loadMnist({ corrupt: { name: 'gaussian', sigma: -1 } } as never)).rejects.toThrow(ConfigError);
    await expect(loadMnist({ corrupt: { name: 'blur' } } as never)).rejects.toThrow(/mnist\.corrupt/);
    await expect(loadIdx({ dir: '/nonexistent', corrupt: { name: 'salt-and-pepper', fraction: 2 } } as never)).rejects.toThrow(/corrupt\.fraction/);
  });

  it('target: corrupted trains on the corrupted batch itself (binarised first under dynamic), for a background model', async () => {
    const d = await loadMnist({ limit: { train: 20, test: 10 }, corrupt: { name: 'salt-and-pepper', fraction: 0.5, target: 'corrupted' } });
    expect(d.corrupt).toBeUndefined();
    expect(d.trainTransform?.name).toBe('binarize/dynamic then corrupt/salt-and-pepper(0.5)');
    expect(d.describe()).toContain('trained on corrupted data');
    const x0 = new Float32Array(20 * 784);
    d.train.read(
      Int32Array.from({ length: 20 }, (_, i) => i),
      x0,
    );
    const y = (await tf.tidy(() => d.trainTransform!.apply(tf.tensor2d(x0, [20, 784]), 3)).data()) as Float32Array;
    const lit = (v: ArrayLike<number>) => Array.from(v).filter((p) => p > 0.5).length / v.length;
    expect(Array.from(y).every((v) => v === 0 || v === 1)).toBe(true);
    expect(lit(y)).toBeGreaterThan(lit(x0) + 0.15); // half the pixels are re-drawn, half of those lit
  });

  it('exclude leaves classes out of the train split only', async () => {
    const d = await loadMnist({ binarize: 'none', exclude: [1, 7] });
    const all = await loadMnist({ binarize: 'none' });
    const count = (l: Int32Array, c: number) => l.filter((v) => v === c).length;
    expect([count(d.train.labels!, 1), count(d.train.labels!, 7)]).toEqual([0, 0]);
    expect(d.train.size).toBe(all.train.size - count(all.train.labels!, 1) - count(all.train.labels!, 7));
    expect(d.test.size).toBe(all.test.size);
    expect(count(d.test.labels!, 1)).toBeGreaterThan(200);
    expect(d.describe()).toContain('classes 1, 7 left out of train');
    // the kept rows are the same digits, in the same order
    const [a, b] = [new Float32Array(784), new Float32Array(784)];
    d.train.read([2], a);
    all.train.read([3], b); // classes 0, 1, 2, 3 …: row 3 of the full split (a 3) is row 2 without the 1s
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});
