import { join } from 'node:path';
import type { VaeModel } from '../model/vae-model.js';
import { writeFileAtomic } from '../runtime/files.js';
import { packTensors } from '../training/checkpoint.js';
import type { ResolvedRunConfig } from './run-config.js';

/**
 * The trained model on its own: `model.json` (format, the model and data sections of the config,
 * the shapes, the tensor index) and `weights.bin` (float32, little-endian). Enough to rebuild the
 * model with the same components and load its weights, without the optimizer state.
 */
export async function saveModel(dir: string, model: VaeModel, config: ResolvedRunConfig): Promise<string[]> {
  const { bytes, index } = await packTensors(model.parameters());
  await writeFileAtomic(join(dir, 'weights.bin'), bytes);
  const meta = { format: 'elbo-model/1', model: config.model, data: config.data, shape: model.shape, tensors: index };
  await writeFileAtomic(join(dir, 'model.json'), JSON.stringify(meta, null, 1));
  return ['model.json', 'weights.bin'];
}
