import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, RandomStream, SilentLogger, type Dataset } from '@elbo/core';
import { parseOptions, type LoadEnv } from '../data/dataset-options.js';
import { downloadVerified } from '../idx/download-verified.js';
import { expandPath } from '../idx/load-idx.js';
import { DSPRITES_FILE, DSPRITES_SIZE } from './dsprites-grid.js';
import { dspritesOptions, type DspritesOptions, type DspritesOptionsInput } from './dsprites-options.js';
import { GridSplit, type GridImageSource } from './grid-split.js';
import { readDspritesNpz } from './load-dsprites-npz.js';
import { SpriteGenerator } from './sprite-generator.js';

/** Default download location with `url` and no `path`: `~/.cache/elbo/dsprites/<official file name>`. */
export function defaultDspritesCache(): string {
  return join(homedir(), '.cache', 'elbo', 'dsprites', DSPRITES_FILE);
}

/** Grid points of each split (undefined train: the whole grid, in grid order). */
export interface DspritesSplitIndices {
  readonly train?: Int32Array;
  readonly test: Int32Array;
}

/**
 * The split rule. One permutation of the `count` grid points is drawn from stream
 * `data/dsprites/split` under `splitSeed`; its first `testSize` entries are the test split, in that
 * (random) order, so any prefix of the test split is itself a uniform random subset.
 *
 * - default: train = the whole grid in grid order (the test points are in it too);
 * - `trainSize`: train = the first `trainSize` entries of a second permutation from the same stream;
 * - `disjoint`: train = the permutation's entries after the test points (all of them, or the next
 *   `trainSize`), so train and test share no image.
 */
export function dspritesSplits(count: number, o: Pick<DspritesOptions, 'trainSize' | 'testSize' | 'disjoint' | 'splitSeed'>): DspritesSplitIndices {
  const problems: string[] = [];
  if (o.testSize > count) problems.push(`dsprites.testSize: expected at most ${count} (the grid size), got ${o.testSize}`);
  const room = o.disjoint ? count - o.testSize : count;
  if (o.trainSize !== undefined && o.trainSize > room) {
    problems.push(
      `dsprites.trainSize: expected at most ${room} (${o.disjoint ? `the grid size ${count} minus testSize ${o.testSize}, as disjoint is set` : 'the grid size'}), got ${o.trainSize}`,
    );
  }
  if (problems.length) throw ConfigError.of(problems);
  const stream = new RandomStream('data/dsprites/split', o.splitSeed);
  const first = stream.permutation(count);
  const test = first.slice(0, o.testSize);
  if (o.disjoint) return { test, train: first.slice(o.testSize, o.trainSize === undefined ? count : o.testSize + o.trainSize) };
  if (o.trainSize !== undefined) return { test, train: stream.permutation(count).slice(0, o.trainSize) };
  return { test };
}

/** Resolves `source: file` to a local path, downloading and verifying first when `url` is given. */
async function npzPath(o: DspritesOptions, env: LoadEnv): Promise<string> {
  if (o.url === undefined) return expandPath(o.path!);
  const file = expandPath(o.path ?? defaultDspritesCache());
  await downloadVerified(o.url, file, o.sha256!, env.logger ?? new SilentLogger());
  return file;
}

/**
 * dSprites (Matthey et al. 2017): 737,280 binary 64×64 sprites over the full grid of color (1) ×
 * shape (3) × scale (6) × orientation (40) × posX (32) × posY (32), shape [64, 64, 1], support
 * `binary`, ground-truth `factors` on both splits (classes and values per image; see dspritesGrid).
 * Images come from the procedural generator (default; not pixel-identical to the official file, same
 * factor semantics) or from the official .npz (`source: file`, validated on load). Splits follow
 * `dspritesSplits`. No labels and no binarisation: the pixels are already 0/1.
 */
export async function loadDsprites(options: DspritesOptionsInput = {}, env: LoadEnv = {}): Promise<Dataset> {
  const o = parseOptions(dspritesOptions, options, 'dsprites');
  let source: GridImageSource;
  let provenance: string;
  if (o.source === 'file') {
    const file = await npzPath(o, env);
    source = await readDspritesNpz(file);
    provenance = `dSprites from ${file}${o.url !== undefined ? ` (downloaded from ${o.url}, sha256-verified)` : ''}`;
  } else {
    source = new SpriteGenerator();
    provenance = 'dSprites factor grid, images drawn on demand by the procedural generator (not pixel-identical to the official file)';
  }
  const count = source.grid.count;
  const split = dspritesSplits(count, o);
  const train = new GridSplit(source, split.train);
  const test = new GridSplit(source, split.test);
  const trainRule = split.train === undefined ? 'train = the whole grid' : `train = ${train.size} random grid points${o.disjoint ? ', disjoint from test' : ''}`;
  const line = `${provenance}; ${count} images ${source.grid.names.join('×')} = ${source.grid.sizes.join('×')}; ${trainRule}, test = ${test.size} random grid points (split seed ${o.splitSeed}${o.disjoint ? '' : ', overlapping train'}); train ${train.size}, test ${test.size}`;
  return {
    name: 'dsprites',
    shape: [DSPRITES_SIZE, DSPRITES_SIZE, 1],
    support: 'binary',
    train,
    test,
    describe: () => line,
  };
}
