/**
 * Timing of the custom-gradient layers on the WASM backend (not a test):
 *
 *   npx tsx packages/compute/src/layers/measure-layers.ts [reps]
 *
 * Prints ms per forward+backward step of a 128×784→400 dense layer with matMul's default gradient
 * and with `dense`, and for a 64×64 conv stack (three 4×4 stride-2 'same' convolutions to 32
 * channels, batch 64) and its conv2dTranspose mirror: forward GFLOP/s against whole
 * forward+backward GFLOP/s. FLOPs count 2 per multiply-add; the backward pass counts one
 * forward-sized product for each filter gradient and for each input gradient that is needed
 * (not for the data input).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { registerGradients } from '../backend.js';
import { conv2d, conv2dTranspose, initConv } from './conv.js';
import { conv2dBackpropFilter } from './conv2d-backprop-filter.js';
import { conv2dBackpropInput } from './conv2d-backprop-input.js';
import { convGeometry } from './conv-geometry.js';
import { dense, initDense } from './dense.js';

const reps = Math.max(1, Number(process.argv[2] ?? 7));

/** Median wall time of `reps` calls after one warm-up call (operator setup, heap growth). */
function time(fn: () => tf.TensorContainer): number {
  tf.dispose(fn());
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    tf.dispose(fn());
    ms.push(performance.now() - t0);
  }
  return ms.sort((a, b) => a - b)[Math.floor(reps / 2)]!;
}

function line(label: string, ms: number, flops?: number): void {
  const rate = flops === undefined ? '' : `  ${(flops / ms / 1e6).toFixed(1).padStart(6)} GFLOP/s`;
  console.log(`${label.padEnd(58)} ${ms.toFixed(1).padStart(8)} ms${rate}`);
}

function step(loss: () => tf.Scalar, xs: tf.Tensor[]): () => tf.TensorContainer {
  return () => tf.tidy(() => tf.grads(loss)(xs));
}

async function main(): Promise<void> {
  await registerGradients();
  await tf.setBackend('wasm');
  console.log(`backend ${tf.getBackend()}, median of ${reps} timed runs after one warm-up\n`);

  // Dense 128×784 → 400, relu.
  const x = tf.randomNormal([128, 784], 0, 1, 'float32', 1) as tf.Tensor2D;
  const { kernel, bias } = initDense(784, 400, 2);
  const r = tf.randomNormal([128, 400], 0, 1, 'float32', 3);
  const denseFlops = 2 * 128 * 784 * 400;
  const ref = () => tf.sum(tf.mul(tf.relu(tf.add(tf.matMul(x, kernel), bias)), r)) as tf.Scalar;
  const own = () => tf.sum(tf.mul(dense(x, kernel, bias, 'relu'), r)) as tf.Scalar;
  console.log('dense 128×784→400 relu');
  line(
    '  forward only, tf.matMul + add + relu',
    time(() => tf.relu(tf.add(tf.matMul(x, kernel), bias))),
    denseFlops,
  );
  line(
    '  forward only, tf.fused.matMul (bias, relu fused)',
    time(() => tf.fused.matMul({ a: x, b: kernel, bias, activation: 'relu' })),
    denseFlops,
  );
  line('  fwd+bwd wrt W,b   default matMul gradient', time(step(() => ref(), [kernel, bias])), 2 * denseFlops);
  line('  fwd+bwd wrt W,b   dense (custom gradient)', time(step(() => own(), [kernel, bias])), 2 * denseFlops);
  line('  fwd+bwd wrt x,W,b default matMul gradient', time(step(() => ref(), [x, kernel, bias])), 3 * denseFlops);
  line('  fwd+bwd wrt x,W,b dense (custom gradient)', time(step(() => own(), [x, kernel, bias])), 3 * denseFlops);
  tf.dispose([x, kernel, bias, r]);

  // Conv stack 64×64×1 → 32×32×32 → 16×16×32 → 8×8×32, 4×4 stride 2 'same', batch 64.
  const batch = 64;
  const sizes = [64, 32, 16, 8];
  const chans = [1, 32, 32, 32];
  const filters = [0, 1, 2].map((i) => initConv(4, 4, chans[i]!, chans[i + 1]!, 10 + i).filter);
  const layerFlops = [0, 1, 2].map((i) => 2 * batch * sizes[i + 1]! ** 2 * 16 * chans[i]! * chans[i + 1]!);
  const fwdFlops = layerFlops.reduce((a, b) => a + b, 0);
  const bwdFlops = fwdFlops + fwdFlops - layerFlops[0]!; // all dW, dX except the data input
  const img = tf.randomUniform([batch, 64, 64, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
  const encode = (useTf: boolean) => (): tf.Tensor4D => filters.reduce((h, f) => (useTf ? tf.conv2d(h, f, 2, 'same') : conv2d(h, f, 2, 'same')), img);
  console.log(`\nconv stack 64×64×1 →(4×4 s2 same)→ 32×32×32 → 16×16×32 → 8×8×32, batch ${batch}`);
  console.log(`  forward ${(fwdFlops / 1e9).toFixed(2)} GFLOP, forward+backward ${((fwdFlops + bwdFlops) / 1e9).toFixed(2)} GFLOP`);
  line('  forward, tf.conv2d', time(encode(true)), fwdFlops);
  const encLoss = () => tf.sum(encode(false)()) as tf.Scalar;
  line('  forward+backward wrt filters, custom gradients', time(step(encLoss, filters)), fwdFlops + bwdFlops);

  // Its mirror: 8×8×32 → 16×16×32 → 32×32×32 → 64×64×1 with conv2dTranspose.
  const tFilters = [2, 1, 0].map((i) => initConv(4, 4, chans[i + 1]!, chans[i]!, 20 + i, true).filter);
  const code = tf.randomNormal([batch, 8, 8, 32], 0, 1, 'float32', 5) as tf.Tensor4D;
  const decode = (useTf: boolean) => (): tf.Tensor4D =>
    tFilters.reduce((h, f, j) => {
      const out: [number, number, number, number] = [batch, sizes[2 - j]!, sizes[2 - j]!, chans[2 - j]!];
      return useTf ? tf.conv2dTranspose(h, f, out, 2, 'same') : conv2dTranspose(h, f, out, 2, 'same');
    }, code);
  const decFwd = fwdFlops;
  const decBwd = fwdFlops + fwdFlops - layerFlops[2]!; // all dW, dX except the code input
  console.log('\nconv2dTranspose stack 8×8×32 → 16×16×32 → 32×32×32 → 64×64×1 (the mirror)');
  line('  forward, tf.conv2dTranspose (WASM Conv2DBackpropInput)', time(decode(true)), decFwd);
  line('  forward, conv2dTranspose (phase-decomposed conv2d)', time(decode(false)), decFwd);
  const decLoss = () => tf.sum(decode(false)()) as tf.Scalar;
  line('  forward+backward wrt filters, custom gradients', time(step(decLoss, tFilters)), decFwd + decBwd);

  // Parts of the middle layer 32×32×32 → 16×16×32.
  const h = tf.randomNormal([batch, 32, 32, 32], 0, 1, 'float32', 6) as tf.Tensor4D;
  const dy = tf.randomNormal([batch, 16, 16, 32], 0, 1, 'float32', 7) as tf.Tensor4D;
  const w = filters[1]!;
  const g = convGeometry(h.shape, w.shape, 2, 'same');
  console.log('\nmiddle layer parts, 32×32×32 → 16×16×32');
  line(
    '  y  = tf.conv2d',
    time(() => tf.conv2d(h, w, 2, 'same')),
    layerFlops[1],
  );
  line(
    '  dx = tf.conv2dTranspose (Conv2DBackpropInput kernel)',
    time(() => tf.conv2dTranspose(dy, w, h.shape, 2, 'same')),
    layerFlops[1],
  );
  line(
    '  dx = conv2dBackpropInput (phase-decomposed)',
    time(() => conv2dBackpropInput(dy, w, g)),
    layerFlops[1],
  );
  line(
    '  dW = conv2dBackpropFilter (dilated conv)',
    time(() => conv2dBackpropFilter(h, dy, g)),
    layerFlops[1],
  );
  tf.dispose([img, code, h, dy, ...filters, ...tFilters]);
}

await main();
