import * as tf from '@tensorflow/tfjs-core';
import { padArg, type ConvGeometry } from './conv-geometry.js';

/** One output phase ψ of the transposed convolution along one axis (see conv2dBackpropInput). */
interface Phase {
  readonly phi: number;
  readonly taps: number;
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
  return end > start ? { phi, taps, before, after, start, end } : null;
}

/**
 * The sub-filter of one phase, flipped and with its channel axes already swapped: from
 * w [kH, kW, O, C] the taps kh = φh + s·(tapsH − 1 − a), kw likewise, as [tapsH, tapsW, O, C].
 * One strided slice with negative strides (WASM's Reverse kernel costs as much again).
 */
function phaseFilter(w: tf.Tensor4D, ph: Phase, pw: Phase, s: number): tf.Tensor4D {
  const [, , o, c] = w.shape;
  const begin = [ph.phi + s * (ph.taps - 1), pw.phi + s * (pw.taps - 1), 0, 0];
  const end = [ph.phi - 1, pw.phi - 1, o, c];
  const endMask = (ph.phi === 0 ? 1 : 0) | (pw.phi === 0 ? 2 : 0);
  return tf.stridedSlice(w, begin, end, [-s, -s, 1, 1], 0, endMask) as tf.Tensor4D;
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
    const swapped = tf.transpose(filter, [0, 1, 3, 2]);
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
        parts.push(tf.conv2d(src, phaseFilter(swapped, ph, pw, s), 1, padArg(ph.before, ph.after, pw.before, pw.after)));
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
