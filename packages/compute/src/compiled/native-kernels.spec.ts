import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend.js';
import { adamUpdate, hasFusedAdam } from '../optim/adam-kernel.js';
import { compiledStepsProblem, nodeBackend } from './native-binding.js';

// The native pass of the suite (ELBO_BACKEND=node, after `elbo backend native`) runs these.
const native = process.env['ELBO_BACKEND'] === 'node';

function values(n: number, seed: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => {
    const v = Math.sin((i + seed) * 12.9898) * 43758.5453;
    return (v - Math.floor(v) - 0.5) * scale;
  });
}

describe.skipIf(!native)('the native backend’s composite kernels', () => {
  beforeAll(async () => {
    await selectBackend('node', { ignoreEnv: true });
    expect(compiledStepsProblem()).toBeUndefined();
  });

  it('Adam as one TensorFlow function computes, bit for bit, what the composed ops compute', () => {
    expect(hasFusedAdam()).toBe(true);
    const a = { beta1: 0.9, beta2: 0.999, stepSize: (1e-3 * Math.sqrt(1 - 0.999 ** 3)) / (1 - 0.9 ** 3), epsHat: 1e-8 * Math.sqrt(1 - 0.999 ** 3) };
    for (const clip of [false, true]) {
      tf.tidy(() => {
        const [p, m, v, g] = [1, 2, 3, 4].map((s) => tf.tensor2d(values(60, s, s === 3 ? 1e-3 : 1), [12, 5]));
        const v2 = tf.abs(v!);
        const scale = clip ? tf.scalar(0.37) : undefined;
        const fused = adamUpdate(p!, m!, v2, g!, scale, a).map((t) => t.dataSync());
        // adam.ts's composed form, op for op.
        const gs = scale ? tf.mul(g!, scale) : g!;
        const mNew = tf.add(tf.mul(m!, a.beta1), tf.mul(gs, 1 - a.beta1));
        const vNew = tf.add(tf.mul(v2, a.beta2), tf.mul(tf.square(gs), 1 - a.beta2));
        const pNew = tf.sub(p!, tf.mul(tf.div(mNew, tf.add(tf.sqrt(vNew), a.epsHat)), a.stepSize));
        expect(Array.from(fused[0]!)).toEqual(Array.from(pNew.dataSync()));
        expect(Array.from(fused[1]!)).toEqual(Array.from(mNew.dataSync()));
        expect(Array.from(fused[2]!)).toEqual(Array.from(vNew.dataSync()));
        expect(Array.from(fused[0]!)).not.toEqual(Array.from(p!.dataSync()));
      });
    }
  });

  it('relu’s gradient (ReluGrad) passes the incoming gradient where x > 0 and 0 elsewhere, as TensorFlow.js’s does', () => {
    const x = tf.tensor1d([-2, -0, 0, 1e-30, 3]);
    const dy = tf.tensor1d([5, 6, 7, -8, 9]);
    const [g] = tf.grads((t: tf.Tensor) => tf.relu(t))([x], dy);
    expect(Array.from(g!.dataSync())).toEqual([0, 0, 0, -8, 9]);
    // Other gradients stay TensorFlow.js's own (abs's: sign through its step function).
    const abs = tf.grad((t: tf.Tensor) => tf.sum(tf.abs(t)))(tf.tensor1d([-1, 2]));
    expect(Array.from(abs.dataSync())).toEqual([-1, 1]);
    tf.dispose([x, dy, g!, abs]);
  });

  it('a reshape to the same shape and a cast to the same dtype share the tensor’s data, not run an op', () => {
    const b = nodeBackend()!;
    const before = tf.memory().numTensors;
    const x = tf.tensor2d(values(6, 9), [2, 3]);
    const handles = b.binding.getNumOfTensors!();
    const same = tf.reshape(x, [2, 3]);
    const cast = tf.cast(x, 'float32');
    expect(b.binding.getNumOfTensors!()).toBe(handles);
    const other = tf.reshape(x, [3, 2]);
    expect(other.shape).toEqual([3, 2]);
    const expected = Array.from(x.dataSync());
    x.dispose();
    expect(Array.from(same.dataSync())).toEqual(expected);
    expect(Array.from(cast.dataSync())).toEqual(expected);
    tf.dispose([same, cast, other]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
