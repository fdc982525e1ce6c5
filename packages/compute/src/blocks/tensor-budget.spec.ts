import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { onCpuBackend } from '../../test/layer-test-cases.js';
import { ConvLayer } from './conv-layer.js';
import { DenseLayer, Mlp, type VariableFactory } from './dense-layer.js';
import { checkTensorSize, formatBytes, MAX_TENSOR_ELEMENTS, tensorLimitBytes, TensorSizeError } from './tensor-budget.js';

onCpuBackend();

const store: VariableFactory = { create: (_name, initial) => tf.variable(initial) };
const seeds = { nextSeed: () => 1 };

describe('tensor budget', () => {
  it('the limit is the smaller of 2^31−1 float32 values and a quarter of the memory', () => {
    expect(tensorLimitBytes()).toBeLessThanOrEqual(MAX_TENSOR_ELEMENTS * 4);
    expect(tensorLimitBytes()).toBeGreaterThan(0);
    expect(() => checkTensorSize('a batch', [100, 784])).not.toThrow();
    expect(() => checkTensorSize('a batch', [1e8, 784])).toThrow(TensorSizeError);
    expect(formatBytes(313_600_000_000)).toBe('313.6 GB');
    expect(formatBytes(512)).toBe('512 B');
  });

  it('dense and conv layers refuse a huge size with an estimate in bytes, before allocating anything', () => {
    const before = tf.memory().numTensors;
    expect(() => new DenseLayer(store, 'head', 200, 2e9, 'linear', seeds)).toThrow(
      'head/kernel [200, 2000000000] would need 400000000000 float32 values, 1600000000000 bytes (1.6 TB); the limit is',
    );
    expect(() => new Mlp(store, 784, [3e9], 20, 'relu', seeds)).toThrow(/hidden0\/kernel \[784, 3000000000\] would need .* bytes/);
    expect(() => new ConvLayer(store, 'conv0', 1, 1e9, 4, 2, 'relu', seeds)).toThrow(/conv0\/filter \[4, 4, 1, 1000000000\] would need 16000000000 float32 values/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
