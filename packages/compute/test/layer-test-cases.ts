/**
 * Test support for the nn specs (not part of the public API): layer cases, seeded inputs, and
 * one runner that evaluates a case either with the custom layers or with plain TensorFlow.js ops
 * and their default gradients, on whatever backend is active.
 *
 * Every case is differentiated through L = Σ y ⊙ R with a fixed random R, so ∂L/∂y = R.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { registerGradients } from '../src/backend.js';
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
  return [seeded([c.batch, c.inDim], seed), seeded([c.inDim, c.outDim], seed + 1), seeded([c.outDim], seed + 2), seeded([c.batch, c.outDim], seed + 3)];
}

/**
 * The value of `forward` on the tensors `make` builds, and the gradients of L = Σ forward(inputs) ⊙ r
 * with respect to every input, in order; all built in one scope, so `leaked` counts what stayed.
 */
function runCase(make: () => { inputs: tf.Tensor[]; r: tf.Tensor }, forward: (inputs: tf.Tensor[]) => tf.Tensor): CaseResult {
  const before = tf.memory().numTensors;
  const out = tf.tidy(() => {
    const { inputs, r } = make();
    const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => tf.sum(tf.mul(forward(xs), r)))(inputs);
    value.dispose();
    return { value: forward(inputs).dataSync() as Float32Array, grads: grads.map((g) => g.dataSync() as Float32Array) };
  });
  return { ...out, leaked: tf.memory().numTensors - before };
}

export function runDense(c: DenseCase, data: Float32Array[], impl: Impl): CaseResult {
  return runCase(
    () => ({
      inputs: [tf.tensor2d(data[0]!, [c.batch, c.inDim]), tf.tensor2d(data[1]!, [c.inDim, c.outDim]), tf.tensor1d(data[2]!)],
      r: tf.tensor2d(data[3]!, [c.batch, c.outDim]),
    }),
    (inputs) => {
      const [x, w, b] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
      return impl === 'custom' ? dense(x, w, b, c.activation) : activate(tf.add(tf.matMul(x, w), b), c.activation);
    },
  );
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
  return runCase(
    () => ({ inputs: [tf.tensor4d(data[0]!, shapes.input), tf.tensor4d(data[1]!, shapes.filter)], r: tf.tensor4d(data[2]!, shapes.output) }),
    (inputs) => {
      const [x, w] = inputs as [tf.Tensor4D, tf.Tensor4D];
      if (c.kind === 'conv2d') return impl === 'custom' ? conv2d(x, w, c.stride, c.pad) : tf.conv2d(x, w, c.stride, c.pad);
      return impl === 'custom' ? conv2dTranspose(x, w, shapes.output, c.stride, c.pad) : tf.conv2dTranspose(x, w, shapes.output, c.stride, c.pad);
    },
  );
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

/** How far the custom layers may be from the reference: relative error of values and gradients. */
export const TOL = 1e-4;

/** A custom run matches the reference: its value and each gradient (named, in order) within TOL, and no tensor left behind. */
export function expectMatches(got: CaseResult, ref: CaseResult, gradNames: readonly string[]): void {
  expect(relError(got.value, ref.value), 'value').toBeLessThan(TOL);
  expect(got.grads).toHaveLength(gradNames.length);
  got.grads.forEach((g, i) => expect(relError(g, ref.grads[i]!), `gradient wrt ${gradNames[i]}`).toBeLessThan(TOL));
  expect(got.leaked).toBe(0);
}

/** The spec file runs on the CPU backend (imported by the spec), with compute's gradients registered. */
export function onCpuBackend(): void {
  beforeAll(async () => {
    await registerGradients();
    await tf.setBackend('cpu');
  });
}

/** One test per case on the active backend: the custom layer matches the reference ops (expectMatches), which leave nothing behind either. */
export function itMatchesReference<C extends { readonly name: string }>(
  cases: readonly C[],
  data: (c: C) => Float32Array[],
  run: (c: C, data: Float32Array[], impl: Impl) => CaseResult,
  gradNames: readonly string[],
): void {
  for (const c of cases) {
    it(c.name, () => {
      const d = data(c);
      const ref = run(c, d, 'reference');
      expectMatches(run(c, d, 'custom'), ref, gradNames);
      expect(ref.leaked).toBe(0);
    });
  }
}

/** `tf.variableGrads` of a custom and a reference loss agree: the loss, and the gradient of each of `vars`, within TOL. */
export function expectSameVariableGrads(
  got: { value: tf.Scalar; grads: tf.NamedTensorMap },
  ref: { value: tf.Scalar; grads: tf.NamedTensorMap },
  vars: readonly tf.Variable[],
): void {
  expect(relError(got.value.dataSync() as Float32Array, ref.value.dataSync() as Float32Array), 'loss').toBeLessThan(TOL);
  for (const v of vars) expect(relError(got.grads[v.name]!.dataSync() as Float32Array, ref.grads[v.name]!.dataSync() as Float32Array), v.name).toBeLessThan(TOL);
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
