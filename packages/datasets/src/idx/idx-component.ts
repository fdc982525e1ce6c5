import { defineComponent, type Dataset } from '@elbo/core';
import { idxOptions } from './idx-options.js';
import { loadIdx } from './load-idx.js';

/** `dataset/idx`: MNIST-family IDX files from a folder, or downloaded and SHA-256-verified. */
export const idxComponent = defineComponent<Promise<Dataset>, typeof idxOptions>({
  kind: 'dataset',
  name: 'idx',
  summary: 'MNIST-family IDX files (MNIST, Fashion-MNIST…) from `dir`, or downloaded from `url` with SHA-256 checks; train/t10k split',
  options: idxOptions,
  create: (options, ctx) => loadIdx(options, { rng: ctx.rng, logger: ctx.logger }),
});
