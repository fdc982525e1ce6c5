import type { Dataset } from '../data/dataset.js';
import type { VaeModel } from '../model/vae-model.js';
import type { RandomStream } from '../runtime/rng.js';

export interface Figure {
  /** File name under the run's artifacts folder. */
  readonly file: string;
  readonly png: Uint8Array;
}

/**
 * Pictures a package adds to every run's artifacts (the standard samples, reconstructions and
 * interpolation from @elbo/uses, latent traversals…): bound by a package's ContainerModule to
 * FigureContribution; the run calls every one after training, in the order they are bound.
 */
export interface FigureMaker {
  readonly name: string;
  /** The run's random stream it draws from (default `figures/<name>`). */
  readonly stream?: string;
  make(model: VaeModel, dataset: Dataset, rng: RandomStream): Promise<Figure[]>;
}
export const FigureContribution = Symbol('FigureContribution');
