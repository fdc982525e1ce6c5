import * as tf from '@tensorflow/tfjs-core';

/** Padding of a 2-D convolution: TensorFlow's 'same' / 'valid', or p zeros on every side. */
export type ConvPadding = 'same' | 'valid' | number;

/**
 * Geometry of y = conv2d(x, W, stride s, pad): x [B, inH, inW, inC], W [kH, kW, inC, outC],
 * y [B, outH, outW, outC], with xpad = x zero-padded by top/bottom/left/right and
 *
 *   y[b, i, j, o] = Σ_{kh, kw, c} xpad[b, i·s + kh, j·s + kw, c] · W[kh, kw, c, o].
 *
 * 'same' follows TensorFlow: outH = ⌈inH / s⌉, pad_total = max((outH − 1)·s + kH − inH, 0),
 * top = ⌊pad_total / 2⌋, bottom = pad_total − top (likewise for the width).
 * 'valid': no padding, outH = ⌊(inH − kH) / s⌋ + 1. A number p pads p on each side,
 * outH = ⌊(inH + 2p − kH) / s⌋ + 1.
 */
export interface ConvGeometry {
  readonly batch: number;
  readonly inH: number;
  readonly inW: number;
  readonly inC: number;
  readonly outH: number;
  readonly outW: number;
  readonly outC: number;
  readonly kH: number;
  readonly kW: number;
  readonly stride: number;
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

type Shape4 = [number, number, number, number];

/** Computes the geometry with TensorFlow.js's own rules (`backend_util.computeConv2DInfo`). */
export function convGeometry(inShape: readonly number[], filterShape: readonly number[], stride: number, pad: ConvPadding): ConvGeometry {
  if (inShape.length !== 4 || filterShape.length !== 4) {
    throw new Error(`conv: expected rank-4 input and filter, got [${inShape.join(',')}] and [${filterShape.join(',')}]`);
  }
  if (!(Number.isInteger(stride) && stride >= 1)) throw new Error(`conv: stride must be a positive integer, got ${stride}`);
  if (typeof pad === 'number' && !(Number.isInteger(pad) && pad >= 0)) {
    throw new Error(`conv: numeric padding must be a non-negative integer, got ${pad}`);
  }
  if (inShape[3] !== filterShape[2]) {
    throw new Error(`conv: input has ${inShape[3]} channels but the filter expects ${filterShape[2]}`);
  }
  const info = tf.backend_util.computeConv2DInfo(inShape as Shape4, filterShape as Shape4, stride, 1, pad);
  if (!(info.outHeight > 0 && info.outWidth > 0)) {
    throw new Error(`conv: input [${inShape.join(',')}] is smaller than the ${filterShape[0]}×${filterShape[1]} filter`);
  }
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    kH: info.filterHeight,
    kW: info.filterWidth,
    stride,
    top: info.padInfo.top,
    bottom: info.padInfo.bottom,
    left: info.padInfo.left,
    right: info.padInfo.right,
  };
}

export type Pad4 = [[number, number], [number, number], [number, number], [number, number]];

/** Explicit padding for tf.conv2d, or 'valid' when there is none. */
export function padArg(top: number, bottom: number, left: number, right: number): 'valid' | Pad4 {
  return top === 0 && bottom === 0 && left === 0 && right === 0
    ? 'valid'
    : [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ];
}

/**
 * [B, H, W, C] → [C, H, W, B] as a 2-D transpose [B, HWC] → [HWC, B] then a block transpose
 * [HW, C, B] → [C, HW, B]: several times faster on WASM than the single 4-D permutation.
 */
export function swapBatchAndChannels(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const t = tf.transpose(tf.reshape(x, [b, h * w * c]));
  if (c === 1) return tf.reshape(t, [1, h, w, b]);
  return tf.reshape(tf.transpose(tf.reshape(t, [h * w, c, b]), [1, 0, 2]), [c, h, w, b]);
}

/**
 * Zero-pads the two spatial axes of x [B, H, W, C]. Done as a 3-D pad of [B, H, W·C] (the same
 * memory layout): WASM's pad kernel is ~10–30× faster with a long innermost axis than with C = 1.
 */
export function padSpatial(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  if (top === 0 && bottom === 0 && left === 0 && right === 0) return x;
  const [b, h, w, c] = x.shape;
  const padded = tf.pad(tf.reshape(x, [b, h, w * c]), [
    [0, 0],
    [top, bottom],
    [left * c, right * c],
  ]);
  return tf.reshape(padded, [b, h + top + bottom, w + left + right, c]);
}
