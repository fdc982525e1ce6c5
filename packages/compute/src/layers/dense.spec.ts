import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { dense, initDense } from './dense.js';
import { DENSE_CASES, denseData, expectSameVariableGrads, itMatchesReference, onCpuBackend, relError, runDense } from '../../test/layer-test-cases.js';

onCpuBackend();

describe('dense (cpu): custom gradient = tf.matMul + add with default gradients', () => {
  itMatchesReference(DENSE_CASES, denseData, runDense, ['x', 'kernel', 'bias']);

  it('trains variables when the input is data (only ∂L/∂W and ∂L/∂b are asked for)', () => {
    const before = tf.memory().numTensors;
    const x = tf.randomNormal([6, 5], 0, 1, 'float32', 3) as tf.Tensor2D;
    const w0 = tf.randomNormal([5, 4], 0, 1, 'float32', 4);
    const b0 = tf.randomNormal([4], 0, 1, 'float32', 5);
    const [w, b] = [tf.variable(w0), tf.variable(b0)];
    const loss = (custom: boolean) => () => tf.sum(tf.square(custom ? dense(x, w as tf.Tensor2D, b as tf.Tensor1D, 'tanh') : tf.tanh(tf.add(tf.matMul(x, w), b)))) as tf.Scalar;
    const got = tf.variableGrads(loss(true), [w, b]);
    const ref = tf.variableGrads(loss(false), [w, b]);
    expectSameVariableGrads(got, ref, [w, b]);
    tf.dispose([x, w0, b0, w, b, got.value, ref.value, ...Object.values(got.grads), ...Object.values(ref.grads)]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('computes ∂L/∂x only when it is needed (data inputs are skipped)', async () => {
    const x = tf.randomNormal([4, 6], 0, 1, 'float32', 1) as tf.Tensor2D;
    const { kernel, bias } = initDense(6, 3, 2);
    const loss = () => tf.sum(dense(x, kernel, bias));
    const matMuls = async (xs: tf.Tensor[]) => (await tf.profile(() => tf.grads(loss)(xs))).kernels.filter((k) => k.name === 'BatchMatMul').length;
    expect(await matMuls([kernel, bias])).toBe(3); // forward + ∂L/∂W + ∂L/∂b (1ᵀ·dz)
    expect(await matMuls([x, kernel, bias])).toBe(4); // + ∂L/∂x
    tf.dispose([x, kernel, bias]);
  });

  it('forward without a tape keeps no tensors', () => {
    const before = tf.memory().numTensors;
    const { kernel, bias } = initDense(3, 2, 1);
    const x = tf.ones([4, 3]) as tf.Tensor2D;
    const y = dense(x, kernel, bias, 'relu');
    expect(y.shape).toEqual([4, 2]);
    tf.dispose([x, y, kernel, bias]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects mismatched shapes', () => {
    tf.tidy(() => {
      expect(() => dense(tf.zeros([2, 3]), tf.zeros([4, 2]), tf.zeros([2]))).toThrow(/3 features/);
      expect(() => dense(tf.zeros([2, 3]), tf.zeros([3, 2]), tf.zeros([5]))).toThrow(/bias/);
    });
  });
});

describe('initDense', () => {
  it('is Glorot-uniform, seeded, with zero bias', () => {
    const a = initDense(784, 400, 42);
    const b = initDense(784, 400, 42);
    const c = initDense(784, 400, 43);
    const limit = Math.sqrt(6 / (784 + 400));
    const k = a.kernel.dataSync() as Float32Array;
    const maxAbs = k.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(a.kernel.shape).toEqual([784, 400]);
    expect(a.bias.shape).toEqual([400]);
    expect(maxAbs).toBeLessThanOrEqual(limit);
    expect(maxAbs).toBeGreaterThan(0.99 * limit);
    const variance = k.reduce((s, v) => s + v * v, 0) / k.length;
    expect(variance / ((limit * limit) / 3)).toBeCloseTo(1, 1);
    expect(Array.from(b.kernel.dataSync())).toEqual(Array.from(k));
    expect(relError(c.kernel.dataSync() as Float32Array, k)).toBeGreaterThan(0.1);
    expect(a.bias.dataSync().every((v) => v === 0)).toBe(true);
    tf.dispose([a.kernel, a.bias, b.kernel, b.bias, c.kernel, c.bias]);
  });

  it('rejects non-positive sizes', () => {
    expect(() => initDense(0, 3, 1)).toThrow(/positive/);
  });
});
