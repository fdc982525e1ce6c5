import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { conv2d, conv2dTranspose, initConv } from './conv.js';
import { convGeometry } from './conv-geometry.js';
import {
  CONV_CASES,
  TOL,
  convData,
  expectSameVariableGrads,
  itMatchesReference,
  onCpuBackend,
  relError,
  runConv,
  runFilterGrad,
  runInputGrad,
} from '../../test/layer-test-cases.js';

onCpuBackend();

describe('conv2d / conv2dTranspose (cpu): custom gradients = tf ops with default gradients', () => {
  itMatchesReference(CONV_CASES, convData, runConv, ['input', 'filter']);

  it('both filter-gradient layouts (dilated, phase) agree with the default gradient', () => {
    for (const c of CONV_CASES) {
      const data = convData(c);
      const ref = runConv(c, data, 'reference').grads[1]!;
      for (const strategy of ['dilated', 'phase'] as const) {
        const got = runFilterGrad(c, data, strategy);
        expect(relError(got.grads[0]!, ref), `${c.name} ${strategy}`).toBeLessThan(TOL);
        expect(got.leaked).toBe(0);
      }
    }
  });

  it('both input-gradient layouts (phases, combined) agree with the default ops', () => {
    for (const c of CONV_CASES) {
      const data = convData(c);
      const ref = runConv(c, data, 'reference');
      const expected = c.kind === 'conv2d' ? ref.grads[0]! : ref.value;
      for (const strategy of ['phases', 'combined'] as const) {
        const got = runInputGrad(c, data, strategy);
        expect(relError(got.grads[0]!, expected), `${c.name} ${strategy}`).toBeLessThan(TOL);
        expect(got.leaked).toBe(0);
      }
    }
  });

  it('trains a conv → conv2dTranspose autoencoder: only filter gradients, data input, no leaks', () => {
    const before = tf.memory().numTensors;
    const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    const enc = initConv(4, 4, 1, 3, 2);
    const dec = initConv(4, 4, 3, 1, 3, true);
    const vars = [enc.filter, enc.bias, dec.filter, dec.bias].map((t) => tf.variable(t));
    const [ef, eb, df, db] = vars as [tf.Variable<tf.Rank.R4>, tf.Variable<tf.Rank.R1>, tf.Variable<tf.Rank.R4>, tf.Variable<tf.Rank.R1>];
    const loss = (custom: boolean) => (): tf.Scalar => {
      const h = tf.relu(tf.add(custom ? conv2d(x, ef, 2, 'same') : tf.conv2d(x, ef, 2, 'same'), eb));
      const up = custom ? conv2dTranspose(h as tf.Tensor4D, df, [2, 8, 8, 1], 2, 'same') : tf.conv2dTranspose(h as tf.Tensor4D, df, [2, 8, 8, 1], 2, 'same');
      return tf.mean(tf.square(tf.sub(tf.sigmoid(tf.add(up, db)), x)));
    };
    const got = tf.variableGrads(loss(true), vars);
    const ref = tf.variableGrads(loss(false), vars);
    expectSameVariableGrads(got, ref, vars);
    tf.dispose([x, enc.filter, enc.bias, dec.filter, dec.bias, ...vars, got.value, ref.value]);
    tf.dispose([...Object.values(got.grads), ...Object.values(ref.grads)]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('computes ∂L/∂x only when it is needed (data inputs are skipped)', async () => {
    const x = tf.randomNormal([2, 8, 8, 4], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 4, 5], 0, 1, 'float32', 2) as tf.Tensor4D;
    const loss = () => tf.sum(conv2d(x, w, 1, 'same'));
    const convs = async (xs: tf.Tensor[]) => (await tf.profile(() => tf.grads(loss)(xs))).kernels.filter((k) => k.name === 'Conv2D').length;
    expect(await convs([w])).toBe(2); // forward + ∂L/∂W
    expect(await convs([x, w])).toBe(3); // + ∂L/∂x
    tf.dispose([x, w]);
  });

  it('rejects inconsistent shapes', () => {
    tf.tidy(() => {
      expect(() => conv2d(tf.zeros([1, 8, 8, 2]), tf.zeros([3, 3, 3, 4]), 1, 'same')).toThrow(/channels/);
      expect(() => conv2d(tf.zeros([1, 8, 8, 2]), tf.zeros([3, 3, 2, 4]), 0, 'same')).toThrow(/stride/);
      expect(() => conv2dTranspose(tf.zeros([1, 5, 5, 4]), tf.zeros([4, 4, 2, 4]), [1, 8, 8, 2], 2, 'same')).toThrow(/does not match/);
    });
  });
});

describe('convGeometry', () => {
  it("'same' follows TensorFlow: pad_total = max((⌈H/s⌉−1)·s + K − H, 0), top = ⌊pad_total/2⌋", () => {
    for (const [h, k, s] of [
      [64, 4, 2],
      [28, 4, 2],
      [7, 4, 2],
      [28, 3, 1],
      [28, 4, 1],
      [9, 5, 3],
      [5, 1, 2],
    ] as const) {
      const g = convGeometry([1, h, h, 1], [k, k, 1, 1], s, 'same');
      const out = Math.ceil(h / s);
      const total = Math.max((out - 1) * s + k - h, 0);
      expect([g.outH, g.top, g.bottom]).toEqual([out, Math.floor(total / 2), total - Math.floor(total / 2)]);
    }
  });

  it("'valid' and numeric padding", () => {
    expect(convGeometry([1, 28, 28, 1], [3, 3, 1, 1], 2, 'valid')).toMatchObject({ outH: 13, top: 0, bottom: 0 });
    expect(convGeometry([1, 9, 9, 1], [3, 3, 1, 1], 2, 1)).toMatchObject({ outH: 5, top: 1, bottom: 1, left: 1 });
  });
});

describe('initConv', () => {
  it('is Glorot-uniform over kH·kW·channels fans, seeded, with zero bias', () => {
    const a = initConv(4, 4, 3, 32, 9);
    const t = initConv(4, 4, 3, 32, 9, true);
    const limit = Math.sqrt(6 / (16 * 3 + 16 * 32));
    const k = a.filter.dataSync() as Float32Array;
    expect(a.filter.shape).toEqual([4, 4, 3, 32]);
    expect(t.filter.shape).toEqual([4, 4, 32, 3]);
    expect(a.bias.shape).toEqual([32]);
    expect(k.reduce((m, v) => Math.max(m, Math.abs(v)), 0)).toBeLessThanOrEqual(limit);
    expect(k.reduce((m, v) => Math.max(m, Math.abs(v)), 0)).toBeGreaterThan(0.95 * limit);
    const again = initConv(4, 4, 3, 32, 9);
    expect(Array.from(again.filter.dataSync())).toEqual(Array.from(k));
    expect(a.bias.dataSync().every((v) => v === 0)).toBe(true);
    tf.dispose([a.filter, a.bias, t.filter, t.bias, again.filter, again.bias]);
  });
});
