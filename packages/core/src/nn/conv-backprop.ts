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
export function convGeometry(
  inShape: readonly number[],
  filterShape: readonly number[],
  stride: number,
  pad: ConvPadding,
): ConvGeometry {
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

type Pad4 = [[number, number], [number, number], [number, number], [number, number]];

function padArg(top: number, bottom: number, left: number, right: number): 'valid' | Pad4 {
  return top === 0 && bottom === 0 && left === 0 && right === 0
    ? 'valid'
    : [[0, 0], [top, bottom], [left, right], [0, 0]];
}

/**
 * [B, H, W, C] → [C, H, W, B] as a 2-D transpose [B, HWC] → [HWC, B] then a block transpose
 * [HW, C, B] → [C, HW, B]: several times faster on WASM than the single 4-D permutation.
 */
function swapBatchAndChannels(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const t = tf.transpose(tf.reshape(x, [b, h * w * c]));
  if (c === 1) return tf.reshape(t, [1, h, w, b]);
  return tf.reshape(tf.transpose(tf.reshape(t, [h * w, c, b]), [1, 0, 2]), [c, h, w, b]);
}

/**
 * ∂L/∂W of y = conv2d(x, W) given dy = ∂L/∂y, as one forward convolution (WASM has no
 * Conv2DBackpropFilter kernel):
 *
 *   dW[kh, kw, c, o] = Σ_{b,i,j} xpad[b, i·s + kh, j·s + kw, c] · dy[b, i, j, o]
 *                    = conv2d(x', dy', strides 1, dilation s)[c, kh, kw, o]
 *
 * with x' = xpad as [C, Hp, Wp, B] (batch and channels swapped) and dy' = dy as [outH, outW, B, O]
 * (a filter whose "input channels" are the batch). The padding is passed explicitly; rows of x
 * that no output reads (a 'valid' remainder) are sliced off, so the result is exactly kH × kW.
 */
export function conv2dBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  return tf.tidy(() => {
    const s = g.stride;
    const needH = (g.outH - 1) * s + g.kH;
    const needW = (g.outW - 1) * s + g.kW;
    const rows = Math.min(g.inH, needH - g.top);
    const cols = Math.min(g.inW, needW - g.left);
    if (rows <= 0 || cols <= 0) return tf.zeros([g.kH, g.kW, g.inC, g.outC]);
    const xs = rows < g.inH || cols < g.inW ? tf.slice(x, [0, 0, 0, 0], [g.batch, rows, cols, g.inC]) : x;
    const xt = swapBatchAndChannels(xs);
    const dyt = tf.reshape<tf.Rank.R4>(
      tf.transpose(tf.reshape(dy, [g.batch, g.outH * g.outW, g.outC]), [1, 0, 2]),
      [g.outH, g.outW, g.batch, g.outC],
    );
    const pad = padArg(g.top, needH - g.top - rows, g.left, needW - g.left - cols);
    const out = tf.conv2d(xt, dyt, 1, pad, 'NHWC', s);
    return tf.reshape(
      tf.transpose(tf.reshape(out, [g.inC, g.kH * g.kW, g.outC]), [1, 0, 2]),
      [g.kH, g.kW, g.inC, g.outC],
    );
  });
}

/** One output phase ψ of the transposed convolution along one axis (see conv2dBackpropInput). */
interface Phase {
  readonly phi: number;
  readonly before: number;
  readonly after: number;
  readonly start: number;
  readonly end: number;
}

function phaseOf(psi: number, s: number, k: number, padBefore: number, outLen: number, rows: number): Phase | null {
  const t0 = psi + padBefore;
  const phi = t0 % s;
  const c = Math.floor(t0 / s);
  if (phi >= k) return null;
  const taps = Math.ceil((k - phi) / s);
  let before = taps - 1 - c;
  let after = rows + taps - 1 - before - outLen;
  let start = 0;
  let end = outLen;
  if (before < 0) {
    start = -before;
    before = 0;
  }
  if (after < 0) {
    end = outLen + after;
    after = 0;
  }
  return end > start ? { phi, before, after, start, end } : null;
}

/**
 * ∂L/∂x of y = conv2d(x, W) given dy (equivalently conv2dTranspose(dy, W)), built from forward
 * stride-1 convolutions only. WASM's Conv2DBackpropInput kernel is a plain loop (≈3 GFLOP/s);
 * this runs on XNNPACK's convolution (≈25 GFLOP/s).
 *
 *   dx[b, t, u, c] = Σ_{i·s + kh = t + top} Σ_{j·s + kw = u + left} Σ_o dy[b, i, j, o] · W[kh, kw, c, o]
 *
 * Split the rows by phase ψ = t mod s: t = m·s + ψ, and write ψ + top = c·s + φ (0 ≤ φ < s). Only
 * taps kh = q·s + φ reach these rows, through dy row i = m + c − q, so
 *
 *   dx_ψ[m] = Σ_q dy[m + c − q] · W[q·s + φ]
 *
 * is a stride-1 correlation of dy (zero-padded by taps−1−c before) with the sub-filter
 * W[φ::s] flipped and with its channel axes swapped. The s² phase results (ψh, ψw) are
 * interleaved back into rows/columns with a stack and two block transposes; a trailing crop
 * remains only when H or W is not a multiple of s.
 */
export function conv2dBackpropInput(dy: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  return tf.tidy(() => {
    const s = g.stride;
    const rowsPerPhase = Math.ceil(g.inH / s);
    const colsPerPhase = Math.ceil(g.inW / s);
    const parts: tf.Tensor4D[] = [];
    for (let psiH = 0; psiH < s; psiH++) {
      const ph = phaseOf(psiH, s, g.kH, g.top, g.outH, rowsPerPhase);
      for (let psiW = 0; psiW < s; psiW++) {
        const pw = phaseOf(psiW, s, g.kW, g.left, g.outW, colsPerPhase);
        if (ph === null || pw === null) {
          parts.push(tf.zeros([g.batch, rowsPerPhase, colsPerPhase, g.inC]));
          continue;
        }
        const full = ph.start === 0 && ph.end === g.outH && pw.start === 0 && pw.end === g.outW;
        const src = full
          ? dy
          : tf.slice(dy, [0, ph.start, pw.start, 0], [g.batch, ph.end - ph.start, pw.end - pw.start, g.outC]);
        const sub: tf.Tensor4D =
          s === 1 ? filter : (tf.stridedSlice(filter, [ph.phi, pw.phi, 0, 0], [g.kH, g.kW, g.inC, g.outC], [s, s, 1, 1]) as tf.Tensor4D);
        const f = tf.transpose(tf.reverse(sub, [0, 1]), [0, 1, 3, 2]);
        parts.push(tf.conv2d(src, f, 1, padArg(ph.before, ph.after, pw.before, pw.after)));
      }
    }
    let dx = parts[0] as tf.Tensor4D;
    if (s > 1) {
      // parts[ψh·s + ψw][b, m, n, c] → dx[b, m·s + ψh, n·s + ψw, c]
      const n = g.batch * rowsPerPhase * colsPerPhase;
      const t1 = tf.transpose(tf.reshape(tf.stack(parts), [s, s, n, g.inC]), [0, 2, 1, 3]);
      const t2 = tf.transpose(tf.reshape(t1, [s, g.batch * rowsPerPhase, colsPerPhase * s * g.inC]), [1, 0, 2]);
      dx = tf.reshape(t2, [g.batch, rowsPerPhase * s, colsPerPhase * s, g.inC]);
    }
    if (dx.shape[1] !== g.inH || dx.shape[2] !== g.inW) {
      dx = tf.slice(dx, [0, 0, 0, 0], [g.batch, g.inH, g.inW, g.inC]);
    }
    return dx;
  });
}
