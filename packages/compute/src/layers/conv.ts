import * as tf from '@tensorflow/tfjs-core';
import { conv2dBackpropFilter } from './conv2d-backprop-filter.js';
import { conv2dBackpropInput } from './conv2d-backprop-input.js';
import { convGeometry, type ConvPadding } from './conv-geometry.js';
import { lazyGradOp } from './lazy-grad-op.js';
import { layerGradients } from './layer-gradients.js';
import { checkTensorSize } from '../blocks/tensor-budget.js';

/** The trainable tensors of one convolution layer. */
export interface ConvParams {
  /** [kH, kW, inC, outC] for conv2d, [kH, kW, outC, inC] for conv2dTranspose. */
  readonly filter: tf.Tensor4D;
  /** [outC]; add it with `tf.add(y, bias)` (broadcast over the channel axis). */
  readonly bias: tf.Tensor1D;
}

/**
 * 2-D convolution (NHWC, cross-correlation as in TensorFlow), no bias, no activation:
 *
 *   y[b, i, j, o] = Σ_{kh, kw, c} xpad[b, i·s + kh, j·s + kw, c] · W[kh, kw, c, o]
 *
 * x [B, H, W, C], filter W [kH, kW, C, O] → y [B, outH, outW, O]; padding per `convGeometry`
 * ('same' is TensorFlow's SAME, exact for even kernels with stride 2 too).
 *
 * Custom gradient, every part of it on convolution kernels that WASM runs fast:
 *   ∂L/∂x = conv2dBackpropInput(dy, W)  — phase-decomposed stride-1 forward convolutions,
 *   ∂L/∂W = conv2dBackpropFilter(x, dy) — one dilated forward convolution over
 *            batch/channel-swapped tensors (WASM has no Conv2DBackpropFilter kernel).
 * Each is computed only if the tape needs it (∂L/∂x is skipped when x is data).
 */
export function conv2d(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number, pad: ConvPadding): tf.Tensor4D {
  if (layerGradients() === 'default') return tf.conv2d(x, filter, stride, pad);
  const g = convGeometry(x.shape, filter.shape, stride, pad);
  return lazyGradOp<tf.Tensor4D>(
    [x, filter],
    (save) => {
      save([x, filter]);
      return tf.conv2d(x, filter, stride, pad);
    },
    (dy, saved) => {
      const [xs, w] = saved as [tf.Tensor4D, tf.Tensor4D];
      return [() => conv2dBackpropInput(dy, w, g), () => conv2dBackpropFilter(xs, dy, g)];
    },
  );
}

/**
 * Transposed convolution (the adjoint of conv2d with respect to its input), as
 * `tf.conv2dTranspose`: x [B, H, W, C], filter W [kH, kW, O, C], outputShape [B, outH, outW, O].
 * With z of shape outputShape, y = conv2dTranspose(x, W) is defined by ⟨y, z⟩ = ⟨x, conv2d(z, W)⟩:
 *
 *   y[b, t, u, o] = Σ_{i·s + kh = t + top} Σ_{j·s + kw = u + left} Σ_c x[b, i, j, c] · W[kh, kw, o, c]
 *
 * where top/left is the padding of conv2d(z, W, s, pad) (so 'same' with stride s maps H to H·s).
 * Forward pass: `conv2dBackpropInput` (phase-decomposed forward convolutions; WASM's
 * Conv2DBackpropInput kernel is several times slower). Gradients, again only if needed:
 *   ∂L/∂x = conv2d(dy, W, s, pad)
 *   ∂L/∂W[kh, kw, o, c] = Σ_{b,i,j} dypad[b, i·s + kh, j·s + kw, o] · x[b, i, j, c]
 *         = conv2dBackpropFilter(dy, x) — the conv2d filter gradient with the roles of the
 *           input (here dy) and the output gradient (here x) swapped.
 */
export function conv2dTranspose(x: tf.Tensor4D, filter: tf.Tensor4D, outputShape: readonly [number, number, number, number], stride: number, pad: ConvPadding): tf.Tensor4D {
  if (layerGradients() === 'default') return tf.conv2dTranspose(x, filter, [...outputShape], stride, pad);
  const g = convGeometry(outputShape, filter.shape, stride, pad);
  if (x.shape[0] !== g.batch || x.shape[1] !== g.outH || x.shape[2] !== g.outW || x.shape[3] !== g.outC) {
    throw new Error(
      `conv2dTranspose: input [${x.shape.join(',')}] does not match output shape [${outputShape.join(',')}] ` +
        `(conv2d of that shape gives [${g.batch},${g.outH},${g.outW},${g.outC}])`,
    );
  }
  return lazyGradOp<tf.Tensor4D>(
    [x, filter],
    (save) => {
      save([x, filter]);
      return conv2dBackpropInput(x, filter, g);
    },
    (dy, saved) => {
      const [xs, w] = saved as [tf.Tensor4D, tf.Tensor4D];
      return [() => tf.conv2d(dy, w, stride, pad), () => conv2dBackpropFilter(dy, xs, g)];
    },
  );
}

/**
 * Glorot-uniform filter W ~ U(−l, l), l = √(6 / (fanIn + fanOut)) with fanIn = kH·kW·inC and
 * fanOut = kH·kW·outC (Keras's convention), and a zero bias [outC]. The filter is
 * [kH, kW, inC, outC], or [kH, kW, outC, inC] when `transposed` (for conv2dTranspose).
 * Deterministic given `seed`; the caller owns the tensors.
 */
export function initConv(kernelH: number, kernelW: number, inChannels: number, outChannels: number, seed: number, transposed = false): ConvParams {
  for (const d of [kernelH, kernelW, inChannels, outChannels]) {
    if (!(Number.isInteger(d) && d > 0)) throw new Error(`initConv: sizes must be positive integers, got ${d}`);
  }
  const receptive = kernelH * kernelW;
  const limit = Math.sqrt(6 / (receptive * inChannels + receptive * outChannels));
  const shape: [number, number, number, number] = transposed ? [kernelH, kernelW, outChannels, inChannels] : [kernelH, kernelW, inChannels, outChannels];
  checkTensorSize('conv filter', shape);
  return {
    filter: tf.randomUniform(shape, -limit, limit, 'float32', seed),
    bias: tf.zeros([outChannels]),
  };
}
