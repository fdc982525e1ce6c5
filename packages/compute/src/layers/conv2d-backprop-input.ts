import * as tf from '@tensorflow/tfjs-core';
import { padArg, type ConvGeometry } from './conv-geometry.js';

/**
 * How ∂L/∂x is assembled from stride-1 convolutions (both exact):
 *  - 'phases':   one convolution per output phase (s² of them), each with just its own taps;
 *  - 'combined': one convolution whose s²·C output channels are all phases at once, over the
 *                union of their tap windows (up to (⌈k/s⌉+1)² taps instead of ⌈k/s⌉², i.e. more
 *                arithmetic, but dy is read once and the output is s²·C channels wide).
 * 'auto' takes 'combined' when s²·C ≤ 16 (few input channels, e.g. the image layer of a decoder,
 * where 'phases' would run s² thin convolutions), else 'phases'.
 */
export type InputGradStrategy = 'auto' | 'phases' | 'combined';

/** Along one axis: output phase ψ (t ≡ ψ mod s) reads taps k = φ + s·q, q < taps, from dy[m + c − q]. */
interface AxisPhase {
  readonly phi: number;
  readonly taps: number;
  readonly c: number;
}

function axisPhase(psi: number, s: number, k: number, padBefore: number): AxisPhase | null {
  const t0 = psi + padBefore;
  const phi = t0 % s;
  return phi < k ? { phi, taps: Math.ceil((k - phi) / s), c: Math.floor(t0 / s) } : null;
}

/**
 * A correlation window over dy along one axis: output m reads dy[m + lo … m + lo + width − 1].
 * As padding of dy (zeros) and, where the window runs past dy, a slice [start, end).
 */
interface Window {
  readonly before: number;
  readonly after: number;
  readonly start: number;
  readonly end: number;
}

function windowOf(lo: number, width: number, outLen: number, rows: number): Window | null {
  let before = -lo;
  let after = rows + width - 1 - before - outLen;
  let [start, end] = [0, outLen];
  if (before < 0) [start, before] = [-before, 0];
  if (after < 0) [end, after] = [outLen + after, 0];
  return end > start ? { before, after, start, end } : null;
}

function sliceWindow(dy: tf.Tensor4D, wh: Window, ww: Window): tf.Tensor4D {
  const [b, h, w, o] = dy.shape;
  if (wh.start === 0 && wh.end === h && ww.start === 0 && ww.end === w) return dy;
  return tf.slice(dy, [0, wh.start, ww.start, 0], [b, wh.end - wh.start, ww.end - ww.start, o]);
}

/**
 * The flipped sub-filter of one phase, channel axes already swapped: from w [kH, kW, O, C] the
 * taps kh = φh + s·(tapsH − 1 − a), likewise kw, as [tapsH, tapsW, O, C]. One strided slice with
 * negative strides (WASM's Reverse kernel would cost as much again).
 */
function phaseFilter(w: tf.Tensor4D, ph: AxisPhase, pw: AxisPhase, s: number): tf.Tensor4D {
  const [, , o, c] = w.shape;
  const begin = [ph.phi + s * (ph.taps - 1), pw.phi + s * (pw.taps - 1), 0, 0];
  const endMask = (ph.phi === 0 ? 1 : 0) | (pw.phi === 0 ? 2 : 0);
  return tf.stridedSlice(w, begin, [ph.phi - 1, pw.phi - 1, o, c], [-s, -s, 1, 1], 0, endMask) as tf.Tensor4D;
}

/**
 * ∂L/∂x of y = conv2d(x, W) given dy (equivalently conv2dTranspose(dy, W)), built from forward
 * stride-1 convolutions only. WASM's Conv2DBackpropInput kernel is a plain loop (≈3 GFLOP/s);
 * this runs on XNNPACK's convolution.
 *
 *   dx[b, t, u, c] = Σ_{i·s + kh = t + top} Σ_{j·s + kw = u + left} Σ_o dy[b, i, j, o] · W[kh, kw, c, o]
 *
 * Split the rows by phase ψ = t mod s: t = m·s + ψ, and write ψ + top = c·s + φ (0 ≤ φ < s). Only
 * taps kh = q·s + φ reach these rows, through dy row i = m + c − q, so
 *
 *   dx_ψ[m] = Σ_q dy[m + c − q] · W[q·s + φ]
 *
 * is a stride-1 correlation of dy (zero-padded by taps−1−c before) with the sub-filter W[φ::s]
 * flipped and with its channel axes swapped. The s² phase results are interleaved back into
 * rows/columns with block transposes; a trailing crop remains only when s ∤ H or s ∤ W.
 */
export function conv2dBackpropInput(dy: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry, strategy: InputGradStrategy = 'auto'): tf.Tensor4D {
  const s = g.stride;
  const use = strategy === 'auto' ? (s > 1 && s * s * g.inC <= 16 ? 'combined' : 'phases') : strategy;
  return tf.tidy(() => {
    const rows = Math.ceil(g.inH / s);
    const cols = Math.ceil(g.inW / s);
    const phH = Array.from({ length: s }, (_, p) => axisPhase(p, s, g.kH, g.top));
    const phW = Array.from({ length: s }, (_, p) => axisPhase(p, s, g.kW, g.left));
    const swapped = tf.transpose(filter, [0, 1, 3, 2]);
    const zeros = (h: number, w: number, ch: number) => tf.zeros([g.batch, h, w, ch]) as tf.Tensor4D;
    let dx: tf.Tensor4D;
    if (use === 'combined') {
      dx = combined(dy, swapped, g, phH, phW, rows, cols) ?? zeros(rows * s, cols * s, g.inC);
    } else {
      const parts: tf.Tensor4D[] = [];
      for (const ph of phH) {
        for (const pw of phW) {
          const wh = ph && windowOf(ph.c - ph.taps + 1, ph.taps, g.outH, rows);
          const ww = pw && windowOf(pw.c - pw.taps + 1, pw.taps, g.outW, cols);
          if (!ph || !pw || !wh || !ww) {
            parts.push(zeros(rows, cols, g.inC));
            continue;
          }
          const f = phaseFilter(swapped, ph, pw, s);
          parts.push(tf.conv2d(sliceWindow(dy, wh, ww), f, 1, padArg(wh.before, wh.after, ww.before, ww.after)));
        }
      }
      dx = parts[0]!;
      if (s > 1) {
        // parts[ψh·s + ψw][b, m, n, c] → dx[b, m·s + ψh, n·s + ψw, c]
        const n = g.batch * rows * cols;
        const t1 = tf.transpose(tf.reshape(tf.stack(parts), [s, s, n, g.inC]), [0, 2, 1, 3]);
        const t2 = tf.transpose(tf.reshape(t1, [s, g.batch * rows, cols * s * g.inC]), [1, 0, 2]);
        dx = tf.reshape(t2, [g.batch, rows * s, cols * s, g.inC]);
      }
    }
    if (dx.shape[1] !== g.inH || dx.shape[2] !== g.inW) dx = tf.slice(dx, [0, 0, 0, 0], [g.batch, g.inH, g.inW, g.inC]);
    return dx;
  });
}

/**
 * All phases in one convolution: phase ψ's taps sit at offset c_ψ − taps_ψ + 1 − lo inside a
 * window [lo, hi] = union over ψ of [c_ψ − taps_ψ + 1, c_ψ]; the filter is [Dh, Dw, O, s²·C] with
 * output channel (ψh, ψw, c), zero outside each phase's taps. Result [B, rows·s, cols·s, C].
 */
function combined(
  dy: tf.Tensor4D,
  swapped: tf.Tensor4D,
  g: ConvGeometry,
  phH: ReadonlyArray<AxisPhase | null>,
  phW: ReadonlyArray<AxisPhase | null>,
  rows: number,
  cols: number,
): tf.Tensor4D | null {
  const s = g.stride;
  const span = (ps: ReadonlyArray<AxisPhase | null>) => {
    const live = ps.filter((p): p is AxisPhase => p !== null);
    const lo = Math.min(...live.map((p) => p.c - p.taps + 1));
    return { lo, width: Math.max(...live.map((p) => p.c)) - lo + 1 };
  };
  const [sh, sw] = [span(phH), span(phW)];
  const wh = windowOf(sh.lo, sh.width, g.outH, rows);
  const ww = windowOf(sw.lo, sw.width, g.outW, cols);
  if (!wh || !ww) return null;
  const blocks: tf.Tensor4D[] = [];
  for (const ph of phH) {
    for (const pw of phW) {
      if (!ph || !pw) {
        blocks.push(tf.zeros([sh.width, sw.width, g.outC, g.inC]));
        continue;
      }
      const top = ph.c - ph.taps + 1 - sh.lo;
      const left = pw.c - pw.taps + 1 - sw.lo;
      const pads: Array<[number, number]> = [
        [top, sh.width - ph.taps - top],
        [left, sw.width - pw.taps - left],
        [0, 0],
        [0, 0],
      ];
      blocks.push(tf.pad(phaseFilter(swapped, ph, pw, s), pads));
    }
  }
  const f = blocks.length === 1 ? blocks[0]! : tf.concat(blocks, 3);
  const out = tf.conv2d(sliceWindow(dy, wh, ww), f, 1, padArg(wh.before, wh.after, ww.before, ww.after));
  // out[b, m, n, (ψh, ψw, c)] → dx[b, m·s + ψh, n·s + ψw, c]
  const t = tf.transpose(tf.reshape(out, [g.batch * rows, cols, s, s * g.inC]), [0, 2, 1, 3]);
  return tf.reshape(t, [g.batch, rows * s, cols * s, g.inC]);
}
