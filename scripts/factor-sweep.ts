/**
 * How a trained dSprites run's posterior means move with each generative factor: for each factor,
 * the images of the factor grid that differ in that factor only (the others fixed: the first shape,
 * the middle scale, orientation 0, the centre position), encoded; prints, per latent dimension, the
 * range of its mean over the sweep. A factor the code holds in one dimension moves one mean; one
 * spread over several (entangled) moves several.
 *
 *   npx tsx scripts/factor-sweep.ts <run-dir>
 */
import * as tf from '@tensorflow/tfjs-core';
import { DiagonalGaussian, openRun, SilentLogger, groundTruthData } from '@elbo/core';
import { setup } from '@elbo/runner';

const dir = process.argv[2];
if (!dir) throw new Error('usage: npx tsx scripts/factor-sweep.ts <run-dir>');
const { container, registry } = await setup();
const run = await openRun(dir, { container, registry, logger: new SilentLogger() });
try {
  const split = groundTruthData(run.dataset.train);
  const { names, sizes } = split.factors;
  const base = sizes.map((n) => Math.floor(n / 2));
  base[names.indexOf('shape')] = 0;
  base[names.indexOf('orientation')] = 0;
  const D = split.dim;
  console.log(`${dir}: range of each latent mean (dimensions 1–${run.model.shape.latentDim}) over a sweep of one factor`);
  for (const [f, name] of names.entries()) {
    if (sizes[f]! < 2) continue;
    const idx = Int32Array.from({ length: sizes[f]! }, (_, v) => split.factors.indexOf(base.map((b, g) => (g === f ? v : b))));
    const rows = new Float32Array(idx.length * D);
    split.read(idx, rows);
    const means = tf.tidy(() => {
      const q = run.model.encode(tf.tensor2d(rows, [idx.length, D]));
      if (!(q instanceof DiagonalGaussian)) throw new Error('the posterior is not a diagonal Gaussian');
      return q.mean.arraySync() as number[][];
    });
    const ranges = means[0]!.map((_, d) => Math.max(...means.map((m) => m[d]!)) - Math.min(...means.map((m) => m[d]!)));
    console.log(`${name.padEnd(12)} ${ranges.map((r) => r.toFixed(2).padStart(5)).join(' ')}`);
  }
} finally {
  run.dispose();
}
