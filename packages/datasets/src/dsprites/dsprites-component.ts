import { defineComponent, type Dataset } from '@elbo/core';
import { dspritesOptions } from './dsprites-options.js';
import { loadDsprites } from './load-dsprites.js';

/** `dataset/dsprites`: the dSprites factor grid, procedurally generated or from the official .npz. */
export const dspritesComponent = defineComponent<Promise<Dataset>, typeof dspritesOptions>({
  kind: 'dataset',
  name: 'dsprites',
  summary: 'dSprites: 737,280 binary 64×64 sprites over shape×scale×orientation×posX×posY, with ground-truth factors; procedural generator or the official .npz',
  options: dspritesOptions,
  create: (options, ctx) => loadDsprites(options, { rng: ctx.rng, logger: ctx.logger }),
});
