import { datasetComponent } from '../data/dataset-component.js';
import { idxOptions } from './idx-options.js';
import { loadIdx } from './load-idx.js';

/** `dataset/idx`: MNIST-family IDX files from a folder, or downloaded and SHA-256-verified. */
export const idxComponent = datasetComponent(
  'idx',
  'MNIST-family IDX files (MNIST, Fashion-MNIST…) from `dir`, or downloaded from `url` with SHA-256 checks; train/t10k split',
  idxOptions,
  loadIdx,
);
