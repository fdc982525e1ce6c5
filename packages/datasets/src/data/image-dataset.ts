import { RandomStream, type Dataset, type Logger, type Rng } from '@elbo/core';
import { InMemorySplit } from './in-memory-split.js';
import type { BinarizeMode, SplitLimit } from './dataset-options.js';
import { binarizeStatic } from '../transforms/static-binarize.js';
import { dynamicBinarize } from '../transforms/dynamic-binarize.js';
import { shapeSize } from '../transforms/flatten.js';
import { corruptionOf, ThenTransform, type CorruptOptions } from '../transforms/corrupt.js';

/**
 * Seed of the held-out binarisation under `binarize: dynamic`. It is fixed (independent of the run
 * seed) so that the test split — and hence held-out likelihoods — are identical across runs.
 */
export const HELD_OUT_BINARIZE_SEED = 0;

export interface ImageDatasetParts {
  /** Component name (`mnist`, `idx`): names the random streams `data/<component>/…`. */
  readonly component: string;
  /** Dataset name for logs and run metadata. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly numClasses: number;
  /** Splits in their fixed order, values in [0,1] after the split's scale. */
  readonly train: InMemorySplit;
  readonly test: InMemorySplit;
  readonly binarize: BinarizeMode;
  readonly limit?: SplitLimit;
  /** `data.corrupt`: denoising training (the encoder's training input corrupted, the target clean). */
  readonly corrupt?: CorruptOptions;
  /** Classes left out of the train split (the test split keeps them): anomaly-detection studies. */
  readonly exclude?: readonly number[];
  /** Provenance and split rule, without counts (they are appended). */
  readonly provenance: string;
}

/**
 * Applies `limit` (prefix) and then binarisation to grey-level splits and returns the Dataset.
 *
 * - `none`: splits as given.
 * - `static`: stream `data/<component>/binarize` of the run's Rng gives one host generator for the
 *   train split, then one for the test split (see binarizeStatic for the draw order).
 * - `dynamic`: train split kept grey, `trainTransform` = dynamicBinarize; test split binarised once
 *   as in `static` but from stream `data/<component>/test-binarize` under HELD_OUT_BINARIZE_SEED.
 *
 * The limit is applied first and draws run in stored order, so a limited split equals the prefix of
 * the unlimited one, binarisation included.
 */
export function assembleImageDataset(parts: ImageDatasetParts, rng: Rng, logger: Logger): Dataset {
  const dim = shapeSize(parts.shape);
  if (parts.train.dim !== dim || parts.test.dim !== dim) throw new RangeError(`splits do not match shape [${parts.shape.join(', ')}]`);
  let train = applyLimit(parts.exclude?.length ? withoutClasses(parts.train, parts.exclude) : parts.train, parts.limit?.train, 'train', parts.name, logger);
  let test = applyLimit(parts.test, parts.limit?.test, 'test', parts.name, logger);

  if (parts.binarize === 'static') {
    const stream = rng.stream(`data/${parts.component}/binarize`);
    train = binarized(train, stream);
    test = binarized(test, stream);
  } else if (parts.binarize === 'dynamic') {
    test = binarized(test, new RandomStream(`data/${parts.component}/test-binarize`, HELD_OUT_BINARIZE_SEED));
  }

  const binarizeNote =
    parts.binarize === 'dynamic'
      ? `binarize=dynamic (train per batch; test once, fixed seed ${HELD_OUT_BINARIZE_SEED})`
      : parts.binarize === 'static'
        ? `binarize=static (run seed ${rng.seed})`
        : 'binarize=none (grey levels in [0,1])';
  const corrupt = corruptionOf(parts.corrupt);
  const background = parts.corrupt?.target === 'corrupted';
  const corruptNote = corrupt ? (background ? `; trained on corrupted data: ${corrupt.name}` : `; denoising: training inputs ${corrupt.name}`) : '';
  const excluded = parts.exclude?.length ? ` (classes ${parts.exclude.join(', ')} left out of train)` : '';
  const line = `${parts.provenance}; train ${train.size}${excluded}, test ${test.size}${limited(parts.limit)}; ${binarizeNote}${corruptNote}`;
  const binarizeBatch = parts.binarize === 'dynamic' ? dynamicBinarize : undefined;
  const trainTransform = corrupt && background ? new ThenTransform(binarizeBatch, corrupt) : binarizeBatch;

  const dataset: Dataset = {
    name: parts.name,
    shape: [...parts.shape],
    support: 'binary',
    numClasses: parts.numClasses,
    train,
    test,
    describe: () => line,
    ...(trainTransform ? { trainTransform } : {}),
    ...(corrupt && !background ? { corrupt } : {}),
  };
  return dataset;
}

function withoutClasses(split: InMemorySplit, classes: readonly number[]): InMemorySplit {
  if (!split.labels) throw new RangeError('exclude: the train split has no labels');
  const keep = Int32Array.from(Array.from(split.labels.keys()).filter((i) => !classes.includes(split.labels![i]!)));
  const values = new Float32Array(keep.length * split.dim);
  split.read(keep, values);
  return new InMemorySplit(
    values,
    split.dim,
    Int32Array.from(keep, (i) => split.labels![i]!),
  );
}

function binarized(split: InMemorySplit, stream: RandomStream): InMemorySplit {
  return new InMemorySplit(binarizeStatic(split.values, stream.nextGenerator(), split.scale), split.dim, split.labels, 1);
}

function applyLimit(split: InMemorySplit, n: number | undefined, which: string, name: string, logger: Logger): InMemorySplit {
  if (n === undefined) return split;
  if (n > split.size) {
    logger.warn(`${name}: limit.${which} is ${n} but the ${which} split has ${split.size} examples; using all ${split.size}`);
    return split;
  }
  return split.prefix(n);
}

function limited(limit: SplitLimit): string {
  const parts = [limit?.train !== undefined ? `train ≤ ${limit.train}` : '', limit?.test !== undefined ? `test ≤ ${limit.test}` : ''].filter(Boolean);
  return parts.length ? ` (limit: ${parts.join(', ')})` : '';
}
