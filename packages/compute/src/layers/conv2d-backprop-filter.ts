import * as tf from '@tensorflow/tfjs-core';
import { padArg, padSpatial, swapBatchAndChannels, type ConvGeometry } from './conv-geometry.js';

/**
 * How the filter gradient is laid out as a forward convolution. Both are exact; they differ in
 * which big tensor becomes the convolution's *filter*, which XNNPACK re-packs on every call
 * (its cost grows with the filter's size, not with the arithmetic):
 *  - 'dilated': the filter is dy (B·outH·outW·O values);
 *  - 'phase':   the filter is x, split into its s×s stride phases (≈ B·H·W·C values).
 * 'auto' picks the smaller filter: 'phase' for few input channels (a first encoder layer on
 * 1-channel images), 'dilated' otherwise.
 */
export type FilterGradStrategy = 'auto' | 'dilated' | 'phase';

/**
 * ∂L/∂W of y = conv2d(x, W) given dy = ∂L/∂y, as one forward convolution (WASM has no
 * Conv2DBackpropFilter kernel). With xpad the zero-padded input,
 *
 *   dW[kh, kw, c, o] = Σ_{b,i,j} xpad[b, i·s + kh, j·s + kw, c] · dy[b, i, j, o].
 *
 * 'dilated': = conv2d(x', dy', strides 1, dilation s)[c, kh, kw, o] with x' = xpad as
 * [C, Hp, Wp, B] (batch and channels swapped) and dy' = dy as [outH, outW, B, O], a filter whose
 * input channels are the batch. Rows of x that no output reads are sliced off, so the result is
 * exactly kH × kW.
 *
 * 'phase': write kh = q·s + φ and X_φ[b, u] = xpad[b, u·s + φ] (stride phases, u < outH + Q,
 * Q = ⌈kH/s⌉ − 1). Then dW[q·s + φ] = Σ_{b,u} X_φ[b, u] · dy[b, u − q] — undilated — which is
 * conv2d(dy'' = dy as [O, outH, outW, B] zero-padded by Q, X' = X as [U, V, B, (φh, φw, c)])
 * [o, Q − q, Q − q', (φh, φw, c)], rearranged (and cropped to kH × kW when s ∤ kH).
 */
export function conv2dBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry, strategy: FilterGradStrategy = 'auto'): tf.Tensor4D {
  const s = g.stride;
  const qh = Math.ceil(g.kH / s) - 1;
  const qw = Math.ceil(g.kW / s) - 1;
  let use = strategy;
  if (use === 'auto') {
    const dilatedFilter = g.outH * g.outW * g.outC;
    const phaseFilter = (g.outH + qh) * (g.outW + qw) * s * s * g.inC;
    use = phaseFilter < dilatedFilter ? 'phase' : 'dilated';
  }
  return tf.tidy(() => (use === 'phase' ? byPhases(x, dy, g, qh, qw) : dilated(x, dy, g)));
}

/** x cropped to the rows/columns the convolution reads, then zero-padded to rows × cols. */
function cropAndPad(x: tf.Tensor4D, g: ConvGeometry, rows: number, cols: number, exact: boolean): [tf.Tensor4D, number, number] {
  const keepH = Math.min(g.inH, rows - g.top);
  const keepW = Math.min(g.inW, cols - g.left);
  const xs = keepH < g.inH || keepW < g.inW ? tf.slice(x, [0, 0, 0, 0], [g.batch, keepH, keepW, g.inC]) : x;
  if (!exact) return [xs, rows - g.top - keepH, cols - g.left - keepW];
  return [padSpatial(xs, g.top, rows - g.top - keepH, g.left, cols - g.left - keepW), 0, 0];
}

function dilated(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const s = g.stride;
  const needH = (g.outH - 1) * s + g.kH;
  const needW = (g.outW - 1) * s + g.kW;
  if (needH - g.top <= 0 || needW - g.left <= 0) return tf.zeros([g.kH, g.kW, g.inC, g.outC]);
  const [xs, bottom, right] = cropAndPad(x, g, needH, needW, false);
  const xt = swapBatchAndChannels(xs);
  const dyt = tf.reshape<tf.Rank.R4>(tf.transpose(tf.reshape(dy, [g.batch, g.outH * g.outW, g.outC]), [1, 0, 2]), [g.outH, g.outW, g.batch, g.outC]);
  const out = tf.conv2d(xt, dyt, 1, padArg(g.top, bottom, g.left, right), 'NHWC', s);
  return tf.reshape(tf.transpose(tf.reshape(out, [g.inC, g.kH * g.kW, g.outC]), [1, 0, 2]), [g.kH, g.kW, g.inC, g.outC]);
}

function byPhases(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry, qh: number, qw: number): tf.Tensor4D {
  const s = g.stride;
  const [u, v] = [g.outH + qh, g.outW + qw];
  if (u * s - g.top <= 0 || v * s - g.left <= 0) return tf.zeros([g.kH, g.kW, g.inC, g.outC]);
  const [xp] = cropAndPad(x, g, u * s, v * s, true);
  // xpad [B, U·s, V·s, C] = (b, u, φh, v, φw, c) → X' (u, v, b, φh, φw, c), by two block transposes.
  const t1 = tf.transpose(tf.reshape(xp, [g.batch * u, s, v, s * g.inC]), [0, 2, 1, 3]);
  const t2 = tf.transpose(tf.reshape(t1, [g.batch, u * v, s * s * g.inC]), [1, 0, 2]);
  const filter = tf.reshape<tf.Rank.R4>(t2, [u, v, g.batch, s * s * g.inC]);
  const out = tf.conv2d(swapBatchAndChannels(dy), filter, 1, padArg(qh, qh, qw, qw));
  // out (o, Q − q, Q − q', φh, φw, c) → flip → (o, q, q', φh, φw, c) → (q, φh, q', φw, c, o).
  const flipped = tf.reverse(out, [1, 2]);
  const oLast = tf.transpose(tf.reshape(flipped, [g.outC, (qh + 1) * (qw + 1) * s * s * g.inC]));
  const grouped = tf.transpose(tf.reshape(oLast, [qh + 1, qw + 1, s, s * g.inC * g.outC]), [0, 2, 1, 3]);
  const full = tf.reshape<tf.Rank.R4>(grouped, [(qh + 1) * s, (qw + 1) * s, g.inC, g.outC]);
  const exact = full.shape[0] === g.kH && full.shape[1] === g.kW;
  return exact ? full : tf.slice(full, [0, 0, 0, 0], [g.kH, g.kW, g.inC, g.outC]);
}
