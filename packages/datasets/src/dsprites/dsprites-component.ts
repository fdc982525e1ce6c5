import { datasetComponent } from '../data/dataset-component.js';
import { dspritesOptions } from './dsprites-options.js';
import { loadDsprites } from './load-dsprites.js';

/** `dataset/dsprites`: the dSprites factor grid, procedurally generated or from the official .npz. */
export const dspritesComponent = datasetComponent(
  'dsprites',
  'dSprites: 737,280 binary 64×64 sprites over shape×scale×orientation×posX×posY, with ground-truth factors; procedural generator or the official .npz',
  dspritesOptions,
  loadDsprites,
);
