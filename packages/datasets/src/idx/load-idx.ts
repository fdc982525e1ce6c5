import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { DataError, Rng, SilentLogger, type Dataset, type Logger } from '@elbo/core';
import { parseOptions, type LoadEnv } from '../data/dataset-options.js';
import { assembleImageDataset } from '../data/image-dataset.js';
import { InMemorySplit } from '../data/in-memory-split.js';
import { BYTE_SCALE } from '../transforms/scale.js';
import { downloadVerified } from './download-verified.js';
import { IDX_FILES, downloadName, idxOptions, type IdxFileRole, type IdxOptions, type IdxOptionsInput } from './idx-options.js';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, readIdx, type IdxArray } from './read-idx.js';

/** `~/x` → `<home>/x`; other paths resolved against the working folder. */
export function expandPath(p: string): string {
  return resolve(p === '~' ? homedir() : p.startsWith('~/') ? join(homedir(), p.slice(2)) : p);
}

/** Default dataset name: the folder's name, or the URL's host and path as one slug. */
export function defaultIdxName(o: Pick<IdxOptions, 'dir' | 'url' | 'name'>): string {
  if (o.name) return o.name;
  if (o.dir) return basename(expandPath(o.dir)) || 'idx';
  const u = new URL(o.url!);
  return `${u.host}${u.pathname}`.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'idx';
}

/** Default download cache: `~/.cache/elbo/idx/<name>`. */
export function defaultIdxCache(name: string): string {
  return join(homedir(), '.cache', 'elbo', 'idx', name);
}

async function exists(p: string): Promise<'file' | 'dir' | undefined> {
  const s = await stat(p).catch(() => undefined);
  return s?.isFile() ? 'file' : s?.isDirectory() ? 'dir' : undefined;
}

/**
 * Finds the file for `base` in `dir`: `base`, `base.gz`, and the dotted spelling some mirrors use
 * (`train-images.idx3-ubyte`, `…gz`), in that order. Missing → DataError naming what was looked for.
 */
export async function locateIdxFile(dir: string, base: string): Promise<string> {
  const dotted = base.replace(/-(idx\d-ubyte)$/, '.$1');
  const candidates = [base, `${base}.gz`, dotted, `${dotted}.gz`];
  for (const c of candidates) {
    if ((await exists(join(dir, c))) === 'file') return join(dir, c);
  }
  throw new DataError(join(dir, base), `not found (looked for ${candidates.join(', ')} in ${dir})`);
}

/** Downloads (or finds cached) the four files and returns the folder holding them. */
async function fetchToCache(o: IdxOptions, name: string, logger: Logger): Promise<string> {
  const cache = expandPath(o.cache ?? defaultIdxCache(name));
  const sha256 = o.sha256!;
  const base = o.url!.replace(/\/+$/, '');
  for (const file of Object.values(IDX_FILES)) {
    const fileName = downloadName(sha256, file);
    await downloadVerified(`${base}/${fileName}`, join(cache, fileName), sha256[fileName]!, logger);
  }
  return cache;
}

/** The four parsed arrays of an IDX dataset, validated against each other. */
export interface IdxFiles {
  readonly files: Readonly<Record<IdxFileRole, string>>;
  readonly trainImages: IdxArray;
  readonly trainLabels: IdxArray;
  readonly testImages: IdxArray;
  readonly testLabels: IdxArray;
}

/**
 * Reads the four IDX files of `dir` and checks that they fit together: images are 3-D ubyte
 * (magic 0x00000803), labels 1-D ubyte (0x00000801), each label file has as many labels as its image
 * file has images, and test images have the train images' size. Each defect is one DataError.
 */
export async function readIdxFolder(dir: string): Promise<IdxFiles> {
  if ((await exists(dir)) !== 'dir') throw new DataError(dir, 'folder not found (dataset/idx reads its files from `dir`)');
  const files = {} as Record<IdxFileRole, string>;
  for (const role of Object.keys(IDX_FILES) as IdxFileRole[]) files[role] = await locateIdxFile(dir, IDX_FILES[role]);
  const trainImages = await readIdx(files.trainImages, IDX_IMAGES_MAGIC);
  const trainLabels = await readIdx(files.trainLabels, IDX_LABELS_MAGIC);
  const testImages = await readIdx(files.testImages, IDX_IMAGES_MAGIC);
  const testLabels = await readIdx(files.testLabels, IDX_LABELS_MAGIC);
  for (const [images, labels, imagesFile, labelsFile] of [
    [trainImages, trainLabels, files.trainImages, files.trainLabels],
    [testImages, testLabels, files.testImages, files.testLabels],
  ] as const) {
    if (images.shape[0] === 0) throw new DataError(imagesFile, 'holds no images');
    if (labels.shape[0] !== images.shape[0]) {
      throw new DataError(labelsFile, `label count does not match: expected ${images.shape[0]} labels (one per image in ${basename(imagesFile)}), got ${labels.shape[0]}`);
    }
  }
  const [tr, tc] = [trainImages.shape[1]!, trainImages.shape[2]!];
  if (testImages.shape[1] !== tr || testImages.shape[2] !== tc) {
    throw new DataError(files.testImages, `image size does not match: expected ${tr}×${tc} like ${basename(files.trainImages)}, got ${testImages.shape[1]}×${testImages.shape[2]}`);
  }
  return { files, trainImages, trainLabels, testImages, testLabels };
}

/**
 * An MNIST-family dataset from IDX files (MNIST, Fashion-MNIST, KMNIST…): the files' own
 * train / t10k split in file order, pixels scaled from bytes to [0,1] (x = byte / 255), shape
 * [rows, cols, 1], labels as stored (numClasses = largest label + 1), then limited and binarised as
 * `options` say. With `url`, the files are first downloaded into the cache and verified (SHA-256).
 */
export async function loadIdx(options: IdxOptionsInput, env: LoadEnv = {}): Promise<Dataset> {
  const o = parseOptions(idxOptions, options, 'idx');
  const logger = env.logger ?? new SilentLogger();
  const name = defaultIdxName(o);
  const dir = o.url !== undefined ? await fetchToCache(o, name, logger) : expandPath(o.dir!);
  const f = await readIdxFolder(dir);
  const [rows, cols] = [f.trainImages.shape[1]!, f.trainImages.shape[2]!];
  const dim = rows * cols;
  const trainLabels = Int32Array.from(f.trainLabels.data);
  const testLabels = Int32Array.from(f.testLabels.data);
  let maxLabel = 0;
  for (const l of trainLabels) maxLabel = Math.max(maxLabel, l);
  for (const l of testLabels) maxLabel = Math.max(maxLabel, l);
  const source = o.url !== undefined ? `${o.url} (sha256-verified, cached in ${dir})` : dir;
  return assembleImageDataset(
    {
      component: 'idx',
      name,
      shape: [rows, cols, 1],
      numClasses: maxLabel + 1,
      train: new InMemorySplit(f.trainImages.data, dim, trainLabels, BYTE_SCALE),
      test: new InMemorySplit(f.testImages.data, dim, testLabels, BYTE_SCALE),
      binarize: o.binarize,
      limit: o.limit,
      corrupt: o.corrupt,
      exclude: o.exclude,
      provenance: `IDX dataset "${name}" from ${source}, the files' own train/t10k split in file order, pixels byte/255`,
    },
    env.rng ?? new Rng(0),
    logger,
  );
}
