/**
 * The fused Adam update (SIMD WebAssembly on the WASM backend, a JavaScript loop on CPU) gives the
 * values of the update composed of TensorFlow.js ops, with and without gradient clipping, for
 * sizes with and without a remainder after the four-wide SIMD loop, and leaks nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend.js';
import { setLayerGradients } from '../layers/layer-gradients.js';
import { hasFusedAdam } from './adam-kernel.js';
import { Adam } from './adam.js';

const shapes: number[][] = [[7, 13], [400], [33, 4], [1]];

function run(mode: 'custom' | 'default', clipNorm: number | null, steps: number): Float32Array[] {
  setLayerGradients(mode);
  return tf.tidy(() => {
    const params = new Map(shapes.map((s, i) => [`p${i}`, tf.variable(tf.randomNormal(s, 0, 1, 'float32', 10 + i))]));
    const adam = new Adam(params, { lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, clipNorm });
    for (let t = 0; t < steps; t++) {
      const grads = new Map(shapes.map((s, i) => [`p${i}`, tf.randomNormal(s, 0, 3, 'float32', 1000 + 100 * t + i)]));
      adam.apply(grads)?.dispose();
    }
    const out = [...params.values()].map((p) => p.dataSync() as Float32Array);
    const moments = [...adam.state().tensors.values()].map((m) => m.dataSync() as Float32Array);
    adam.dispose();
    for (const p of params.values()) p.dispose();
    return [...out, ...moments];
  });
}

function maxRelError(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((x, k) => x.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[k]![i]!) / Math.max(1e-3, Math.abs(b[k]![i]!))))));
  return worst;
}

afterAll(() => setLayerGradients('auto'));

describe.each(['wasm', 'cpu'] as const)('fused Adam on %s', (backend) => {
  it('is the kernel the optimizer uses there', async () => {
    await selectBackend(backend, { ignoreEnv: true });
    expect(tf.getBackend()).toBe(backend);
    expect(hasFusedAdam()).toBe(true);
  });

  it.each([null, 0.5])('equals the composed update over 5 steps (clipNorm %s), and leaks no tensors', async (clipNorm) => {
    await selectBackend(backend, { ignoreEnv: true });
    const before = tf.memory().numTensors;
    const fused = run('custom', clipNorm, 5);
    expect(tf.memory().numTensors).toBe(before);
    const composed = run('default', clipNorm, 5);
    expect(maxRelError(fused, composed)).toBeLessThan(1e-4); // float32 rounding in a different order
    // A real update happened: the weights moved from their initial values.
    const initial = run('custom', clipNorm, 0);
    expect(maxRelError(fused.slice(0, shapes.length), initial.slice(0, shapes.length))).toBeGreaterThan(1e-3);
  });
});
