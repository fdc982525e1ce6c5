import { resolve } from 'node:path';
import { encodeImageGrid, openRun, StderrLogger, writeFileAtomic, ConfigError } from '@elbo/core';
import * as tf from '@tensorflow/tfjs-core';
import { setupForRun } from '../setup.js';

/** `elbo sample <run-dir> --n 64 --out samples.png`: mean images of draws from the prior. */
export async function sampleCommand(args: { runDir: string; n: number; out: string; seed: number; cols?: number }): Promise<number> {
  if (!args.out.toLowerCase().endsWith('.png')) throw new ConfigError(`--out ${args.out}: expected a .png file name`);
  const logger = new StderrLogger();
  const s = await setupForRun(args.runDir);
  const run = await openRun(args.runDir, { ...s, logger });
  try {
    const shape = run.dataset.shape;
    if (shape.length !== 3) throw new ConfigError(`${args.runDir}: samples can be drawn as images only for image data; this run's data has shape [${shape.join(', ')}]`);
    const images = run.model.sample(args.n, args.seed);
    const values = (await images.data()) as Float32Array;
    images.dispose();
    const d = run.model.shape.dataDim;
    const rows = Array.from({ length: args.n }, (_, i) => values.slice(i * d, (i + 1) * d));
    const png = encodeImageGrid(rows, { shape: shape as [number, number, number], cols: args.cols ?? Math.ceil(Math.sqrt(args.n)) });
    const out = resolve(args.out);
    await writeFileAtomic(out, png);
    process.stdout.write(`${out}\n`);
    logger.info(`${args.n} samples from ${args.runDir} (epoch ${run.epoch}, seed ${args.seed}) → ${out}; tensors in use: ${tf.memory().numTensors}`);
    return 0;
  } finally {
    run.dispose();
  }
}
