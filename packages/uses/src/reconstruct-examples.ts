import { type DataSplit, type VaeModel } from '@elbo/core';
import { mapBatches, type BatchOptions } from './map-batches.js';

/**
 * Reconstruction of every row, x̂ = E[x | z = μ(x)] (the likelihood's mean of the decoded
 * posterior mean; deterministic), n × D row-major. Given noisy inputs this is the model's
 * denoised estimate: the encoder maps x̃ near the code of a clean example and the decoder can only
 * draw what it learned, so noise the training data did not have is largely dropped.
 */
export async function reconstructExamples(model: VaeModel, split: DataSplit, opts: BatchOptions = {}): Promise<Float32Array> {
  return mapBatches(model, split, split.dim, opts, (x, c) => model.reconstruct(x, c));
}
