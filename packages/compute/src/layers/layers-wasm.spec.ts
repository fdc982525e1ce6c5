/**
 * The custom layers on the WASM backend (which has no Conv2DBackpropFilter kernel and slow
 * transposed matMuls) give the values and gradients that plain TensorFlow.js ops with their
 * default gradients give on the CPU backend. References are computed on CPU first, as arrays.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerGradients } from '../backend.js';
import { conv2d, conv2dTranspose, initConv } from './conv.js';
import { dense, initDense } from './dense.js';
import {
  CONV_CASES,
  DENSE_CASES,
  convData,
  denseData,
  TOL,
  expectMatches,
  relError,
  runConv,
  runDense,
  runFilterGrad,
  runInputGrad,
  type CaseResult,
  type ConvCase,
  type DenseCase,
} from '../../test/layer-test-cases.js';

const denseCases: readonly DenseCase[] = DENSE_CASES;
const convCases: readonly ConvCase[] = CONV_CASES;
const refs = new Map<string, { data: Float32Array[]; ref: CaseResult }>();

beforeAll(async () => {
  await registerGradients();
  await tf.setBackend('cpu');
  for (const c of denseCases) {
    const data = denseData(c);
    refs.set(c.name, { data, ref: runDense(c, data, 'reference') });
  }
  for (const c of convCases) {
    const data = convData(c);
    refs.set(c.name, { data, ref: runConv(c, data, 'reference') });
  }
  expect(await tf.setBackend('wasm')).toBe(true);
  expect(tf.getBackend()).toBe('wasm');
});

describe('dense on wasm = tf.matMul + add on cpu', () => {
  for (const c of denseCases) {
    it(c.name, () => {
      const { data, ref } = refs.get(c.name)!;
      expectMatches(runDense(c, data, 'custom'), ref, ['x', 'kernel', 'bias']);
    });
  }
});

describe('conv2d / conv2dTranspose on wasm = tf ops with default gradients on cpu', () => {
  for (const c of convCases) {
    it(c.name, () => {
      const { data, ref } = refs.get(c.name)!;
      expectMatches(runConv(c, data, 'custom'), ref, ['input', 'filter']);
    });
  }
});

describe('filter-gradient layouts on wasm', () => {
  for (const strategy of ['dilated', 'phase'] as const) {
    it(`${strategy} = default conv gradient on cpu, every case`, () => {
      for (const c of convCases) {
        const { data, ref } = refs.get(c.name)!;
        const got = runFilterGrad(c, data, strategy);
        expect(relError(got.grads[0]!, ref.grads[1]!), c.name).toBeLessThan(TOL);
        expect(got.leaked).toBe(0);
      }
    });
  }
});

describe('input-gradient layouts on wasm', () => {
  for (const strategy of ['phases', 'combined'] as const) {
    it(`${strategy} = default ops on cpu, every case`, () => {
      for (const c of convCases) {
        const { data, ref } = refs.get(c.name)!;
        const got = runInputGrad(c, data, strategy);
        expect(relError(got.grads[0]!, c.kind === 'conv2d' ? ref.grads[0]! : ref.value), c.name).toBeLessThan(TOL);
        expect(got.leaked).toBe(0);
      }
    });
  }
});

describe('training on wasm', () => {
  it('SGD on a conv → dense → conv2dTranspose autoencoder lowers the loss, without leaks', () => {
    const before = tf.memory().numTensors;
    const x = tf.randomUniform([4, 8, 8, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    const enc = initConv(4, 4, 1, 4, 1);
    const mid = initDense(4 * 4 * 4, 4 * 4 * 4, 2);
    const dec = initConv(4, 4, 4, 1, 3, true);
    const init = [enc.filter, enc.bias, mid.kernel, mid.bias, dec.filter, dec.bias];
    const vars = init.map((t) => tf.variable(t));
    const [ef, eb, mk, mb, df, db] = vars as unknown as [tf.Tensor4D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D, tf.Tensor4D, tf.Tensor1D];
    const loss = (): tf.Scalar =>
      tf.tidy(() => {
        const h = tf.elu(tf.add(conv2d(x, ef, 2, 'same'), eb)) as tf.Tensor4D;
        const z = dense(tf.reshape(h, [4, 64]), mk, mb, 'tanh');
        const up = conv2dTranspose(tf.reshape(z, [4, 4, 4, 4]), df, [4, 8, 8, 1], 2, 'same');
        return tf.mean(tf.square(tf.sub(tf.sigmoid(tf.add(up, db)), x)));
      });
    const losses: number[] = [];
    for (let step = 0; step < 30; step++) {
      const { value, grads } = tf.variableGrads(loss, vars);
      losses.push(value.dataSync()[0]!);
      tf.tidy(() => vars.forEach((v) => v.assign(tf.sub(v, tf.mul(grads[v.name]!, 2)))));
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]!).toBeLessThan(0.9 * losses[0]!);
    tf.dispose([x, ...init, ...vars]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
