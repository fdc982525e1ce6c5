/**
 * Test support for the nn specs (not part of the public API): layer cases, seeded inputs, and
 * one runner that evaluates a case either with the custom layers or with plain TensorFlow.js ops
 * and their default gradients, on whatever backend is active.
 *
 * Every case is differentiated through L = Σ y ⊙ R with a fixed random R, so ∂L/∂y = R.
 */
import * as tf from '@tensorflow/tfjs-core';
import { activate, type Activation } from '../src/layers/activation.js';
import { conv2d, conv2dTranspose } from '../src/layers/conv.js';
import { conv2dBackpropFilter, type FilterGradStrategy } from '../src/layers/conv2d-backprop-filter.js';
import { conv2dBackpropInput, type InputGradStrategy } from '../src/layers/conv2d-backprop-input.js';
import { convGeometry, type ConvPadding } from '../src/layers/conv-geometry.js';
import { dense } from '../src/layers/dense.js';

export type Shape4 = [number, number, number, number];

export interface DenseCase {
  readonly name: string;
  readonly batch: number;
  readonly inDim: number;
  readonly outDim: number;
  readonly activation: Activation;
}

export interface ConvCase {
  readonly name: string;
  readonly kind: 'conv2d' | 'conv2dTranspose';
  /** conv2d: the input x. conv2dTranspose: the output shape. */
  readonly shape: Shape4;
  readonly kernel: number;
  readonly outChannels: number;
  readonly stride: number;
  readonly pad: ConvPadding;
}

/** What a run produces: output values, gradients (inputs in order), and tensors left behind. */
export interface CaseResult {
  readonly value: Float32Array;
  readonly grads: Float32Array[];
  readonly leaked: number;
}

export type Impl = 'custom' | 'reference';

function seeded(shape: number[], seed: number): Float32Array {
  return tf.tidy(() => tf.randomNormal(shape, 0, 1, 'float32', seed).dataSync() as Float32Array);
}

/** Inputs (x, kernel, bias, R) of a dense case, as arrays so they can cross backends. */
export function denseData(c: DenseCase, seed = 1): Float32Array[] {
  return [
    seeded([c.batch, c.inDim], seed),
    seeded([c.inDim, c.outDim], seed + 1),
    seeded([c.outDim], seed + 2),
    seeded([c.batch, c.outDim], seed + 3),
  ];
}

export function runDense(c: DenseCase, data: Float32Array[], impl: Impl): CaseResult {
  const before = tf.memory().numTensors;
  const out = tf.tidy(() => {
    const [x, w, b, r] = [
      tf.tensor2d(data[0]!, [c.batch, c.inDim]),
      tf.tensor2d(data[1]!, [c.inDim, c.outDim]),
      tf.tensor1d(data[2]!),
      tf.tensor2d(data[3]!, [c.batch, c.outDim]),
    ] as const;
    const forward = (xv: tf.Tensor2D, wv: tf.Tensor2D, bv: tf.Tensor1D): tf.Tensor2D =>
      impl === 'custom' ? dense(xv, wv, bv, c.activation) : activate(tf.add(tf.matMul(xv, wv), bv), c.activation);
    const { value, grads } = tf.valueAndGrads((xv: tf.Tensor, wv: tf.Tensor, bv: tf.Tensor) =>
      tf.sum(tf.mul(forward(xv as tf.Tensor2D, wv as tf.Tensor2D, bv as tf.Tensor1D), r)),
    )([x, w, b]);
    value.dispose();
    return { value: forward(x, w, b).dataSync() as Float32Array, grads: grads.map((g) => g.dataSync() as Float32Array) };
  });
  return { ...out, leaked: tf.memory().numTensors - before };
}

/** The shapes of a conv case: input, filter, output. */
export function convShapes(c: ConvCase): { input: Shape4; filter: Shape4; output: Shape4 } {
  const [b, , , ch] = c.shape;
  const g = convGeometry(c.shape, [c.kernel, c.kernel, ch, c.outChannels], c.stride, c.pad);
  const small: Shape4 = [b, g.outH, g.outW, c.outChannels];
  return c.kind === 'conv2d'
    ? { input: c.shape, filter: [c.kernel, c.kernel, ch, c.outChannels], output: small }
    : { input: small, filter: [c.kernel, c.kernel, ch, c.outChannels], output: c.shape };
}

/** Inputs (x, filter, R) of a conv case. */
export function convData(c: ConvCase, seed = 7): Float32Array[] {
  const s = convShapes(c);
  return [seeded(s.input, seed), seeded(s.filter, seed + 1), seeded(s.output, seed + 2)];
}

export function runConv(c: ConvCase, data: Float32Array[], impl: Impl): CaseResult {
  const shapes = convShapes(c);
  const before = tf.memory().numTensors;
  const out = tf.tidy(() => {
    const x = tf.tensor4d(data[0]!, shapes.input);
    const w = tf.tensor4d(data[1]!, shapes.filter);
    const r = tf.tensor4d(data[2]!, shapes.output);
    const forward = (xv: tf.Tensor4D, wv: tf.Tensor4D): tf.Tensor4D => {
      if (c.kind === 'conv2d') return impl === 'custom' ? conv2d(xv, wv, c.stride, c.pad) : tf.conv2d(xv, wv, c.stride, c.pad);
      return impl === 'custom'
        ? conv2dTranspose(xv, wv, shapes.output, c.stride, c.pad)
        : tf.conv2dTranspose(xv, wv, shapes.output, c.stride, c.pad);
    };
    const { value, grads } = tf.valueAndGrads((xv: tf.Tensor, wv: tf.Tensor) =>
      tf.sum(tf.mul(forward(xv as tf.Tensor4D, wv as tf.Tensor4D), r)),
    )([x, w]);
    value.dispose();
    return { value: forward(x, w).dataSync() as Float32Array, grads: grads.map((g) => g.dataSync() as Float32Array) };
  });
  return { ...out, leaked: tf.memory().numTensors - before };
}

/**
 * The filter gradient of a conv case computed directly with one `conv2dBackpropFilter` strategy
 * (for conv2dTranspose the roles of input and output gradient are swapped), plus tensors leaked.
 */
export function runFilterGrad(c: ConvCase, data: Float32Array[], strategy: FilterGradStrategy): CaseResult {
  const shapes = convShapes(c);
  const before = tf.memory().numTensors;
  const grad = tf.tidy(() => {
    const x = tf.tensor4d(data[0]!, shapes.input);
    const r = tf.tensor4d(data[2]!, shapes.output);
    const g = convGeometry(c.shape, shapes.filter, c.stride, c.pad);
    const dw = c.kind === 'conv2d' ? conv2dBackpropFilter(x, r, g, strategy) : conv2dBackpropFilter(r, x, g, strategy);
    return dw.dataSync() as Float32Array;
  });
  return { value: new Float32Array(0), grads: [grad], leaked: tf.memory().numTensors - before };
}

/**
 * `conv2dBackpropInput` with one strategy: for conv2d cases ∂L/∂x (the reference's first
 * gradient), for conv2dTranspose cases the forward value (the reference's value).
 */
export function runInputGrad(c: ConvCase, data: Float32Array[], strategy: InputGradStrategy): CaseResult {
  const shapes = convShapes(c);
  const before = tf.memory().numTensors;
  const out = tf.tidy(() => {
    const w = tf.tensor4d(data[1]!, shapes.filter);
    const src = c.kind === 'conv2d' ? tf.tensor4d(data[2]!, shapes.output) : tf.tensor4d(data[0]!, shapes.input);
    const g = convGeometry(c.shape, shapes.filter, c.stride, c.pad);
    return conv2dBackpropInput(src, w, g, strategy).dataSync() as Float32Array;
  });
  return { value: new Float32Array(0), grads: [out], leaked: tf.memory().numTensors - before };
}

/** max |a − e| / max |e| (0 when both are all zeros); lengths must agree. */
export function relError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

export const DENSE_CASES: readonly DenseCase[] = [
  { name: '1×1→1 linear', batch: 1, inDim: 1, outDim: 1, activation: 'linear' },
  { name: '5×3→4 relu', batch: 5, inDim: 3, outDim: 4, activation: 'relu' },
  { name: '7×13→6 softplus', batch: 7, inDim: 13, outDim: 6, activation: 'softplus' },
  { name: '4×9→5 tanh', batch: 4, inDim: 9, outDim: 5, activation: 'tanh' },
  { name: '6×8→3 elu', batch: 6, inDim: 8, outDim: 3, activation: 'elu' },
  { name: '3×10→7 sigmoid', batch: 3, inDim: 10, outDim: 7, activation: 'sigmoid' },
  { name: '16×784→40 relu', batch: 16, inDim: 784, outDim: 40, activation: 'relu' },
];

const conv = (shape: Shape4, kernel: number, outChannels: number, stride: number, pad: ConvPadding): ConvCase => ({
  name: `conv2d [${shape.join(',')}] k${kernel} s${stride} ${pad} →${outChannels}`,
  kind: 'conv2d',
  shape,
  kernel,
  outChannels,
  stride,
  pad,
});

const convT = (output: Shape4, kernel: number, inChannels: number, stride: number, pad: ConvPadding): ConvCase => ({
  name: `conv2dTranspose →[${output.join(',')}] k${kernel} s${stride} ${pad} from ${inChannels}ch`,
  kind: 'conv2dTranspose',
  shape: output,
  kernel,
  outChannels: inChannels,
  stride,
  pad,
});

export const CONV_CASES: readonly ConvCase[] = [
  conv([2, 28, 28, 1], 3, 4, 1, 'same'),
  conv([2, 28, 28, 3], 4, 5, 2, 'same'),
  conv([2, 28, 28, 2], 3, 3, 2, 'valid'),
  conv([2, 28, 28, 2], 4, 3, 1, 'valid'),
  conv([2, 64, 64, 1], 4, 4, 2, 'same'),
  conv([2, 64, 64, 3], 3, 2, 1, 'same'),
  conv([1, 64, 64, 2], 4, 3, 1, 'same'),
  conv([1, 64, 64, 2], 3, 3, 2, 'valid'),
  conv([2, 7, 7, 4], 4, 3, 2, 'same'),
  conv([2, 9, 10, 3], 3, 2, 2, 1),
  conv([1, 9, 9, 2], 2, 2, 3, 'valid'),
  convT([2, 28, 28, 1], 4, 4, 2, 'same'),
  convT([2, 28, 28, 2], 3, 3, 1, 'same'),
  convT([2, 14, 14, 3], 3, 2, 2, 'valid'),
  convT([2, 64, 64, 3], 4, 4, 2, 'same'),
  convT([1, 64, 64, 2], 3, 3, 1, 'valid'),
  convT([2, 7, 7, 3], 4, 4, 2, 'same'),
  convT([2, 11, 9, 2], 3, 3, 2, 1),
];
