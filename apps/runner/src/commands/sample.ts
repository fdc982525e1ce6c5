import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { encodeImageGrid, openRun, RunFiles, StderrLogger, writeFileAtomic, ConfigError } from '@elbo/core';
import { conditionGrid } from '@elbo/uses';
import { setupForRun } from '../setup.js';
import { countOption, sizeOption, widest } from './option-checks.js';

export interface SampleArgs {
  runDir: string;
  n: number;
  /** Absent: `<run-dir>/artifacts/<defaultSampleFile(…)>`. */
  out?: string;
  seed: number;
  cols?: number;
  /** Conditions for a conditional model: one for all samples, or one per sample. */
  condition?: string[];
  gridByCondition: boolean;
}

/**
 * The file `elbo sample` writes into the run's artifacts when no --out is given: named after what was
 * drawn (`samples-64-seed0.png`, `samples-9-seed0-c7.png`, `samples-grid-seed0.png`), never the
 * `samples.png` the run wrote itself.
 */
export function defaultSampleFile(args: Pick<SampleArgs, 'n' | 'seed' | 'condition' | 'gridByCondition'>): string {
  if (args.gridByCondition) return `samples-grid-seed${args.seed}.png`;
  const condition = args.condition?.length ? `-c${args.condition.join('_').replace(/[^\w.-]+/g, '_')}`.slice(0, 60) : '';
  return `samples-${args.n}-seed${args.seed}${condition}.png`;
}

/**
 * `elbo sample <run-dir> --n 64 [--out samples.png] [--condition 7] [--grid-by-condition]`: mean
 * images of draws from the prior (p(z|c) for a conditional model), as a PNG grid.
 */
export async function sampleCommand(args: SampleArgs): Promise<number> {
  if (args.out !== undefined && !args.out.toLowerCase().endsWith('.png')) throw new ConfigError(`--out ${args.out}: expected a .png file name`);
  countOption('--n', args.n);
  countOption('--cols', args.cols);
  const logger = new StderrLogger();
  const s = await setupForRun(args.runDir);
  const run = await openRun(args.runDir, { ...s, logger });
  try {
    const shape = run.dataset.shape;
    if (shape.length !== 3) throw new ConfigError(`${args.runDir}: samples can be drawn as images only for image data; this run's data has shape [${shape.join(', ')}]`);
    const imageShape = shape as [number, number, number];
    const width = widest(run.config.model.decoder, Math.max(run.model.shape.dataDim, run.config.model.latent));
    sizeOption('--n', `the samples' widest layer (n × ${width})`, [args.n, width]);
    const conditioner = run.model.conditioner;
    if (!conditioner && (args.condition?.length || args.gridByCondition)) {
      throw new ConfigError(
        `${args.condition?.length ? '--condition' : '--grid-by-condition'}: the model in ${args.runDir} is not conditional (its config has no model.condition)`,
      );
    }
    let png: Uint8Array;
    if (args.gridByCondition) {
      const classes = conditioner!.allClasses?.();
      if (!classes) throw new ConfigError('--grid-by-condition: the model conditions on vectors, which have no list of classes; use --condition');
      png = await conditionGrid(run.model, classes, args.cols ?? 10, args.seed, imageShape);
    } else {
      if (conditioner && !args.condition?.length)
        throw new ConfigError(`--condition: the model in ${args.runDir} is conditional; say what to generate (e.g. --condition 7), or use --grid-by-condition`);
      const cond = conditioner ? conditioner.parse(args.condition!, args.n, '--condition') : undefined;
      const images = tf.tidy(() => {
        const c = run.model.condition(cond);
        return run.model.sample(args.n, args.seed, c);
      });
      const values = (await images.data()) as Float32Array;
      images.dispose();
      const d = run.model.shape.dataDim;
      const rows = Array.from({ length: args.n }, (_, i) => values.slice(i * d, (i + 1) * d));
      png = encodeImageGrid(rows, { shape: imageShape, cols: args.cols ?? Math.ceil(Math.sqrt(args.n)) });
    }
    const out = args.out !== undefined ? resolve(args.out) : join(resolve(args.runDir), RunFiles.artifacts, defaultSampleFile(args));
    await writeFileAtomic(out, png);
    process.stdout.write(`${out}\n`);
    logger.info(`samples from ${args.runDir} (epoch ${run.epoch}, seed ${args.seed}) → ${out}`);
    return 0;
  } finally {
    run.dispose();
  }
}
