import type { DataSplit } from '../data/dataset.js';
import { ConfigError } from '../config/config-error.js';
import type { VaeModel } from '../model/vae-model.js';
import { encodeExamples } from './encode-examples.js';
import { fitPca } from './fit-pca.js';
import type { BatchOptions } from './map-batches.js';

/** How latent codes become 2-D points: the code itself (2-D latents) or its first two principal components. */
export type MapMethod = 'auto' | 'latent' | 'pca';

export interface LatentMap {
  readonly n: number;
  /** n points (x, y), row-major n × 2. */
  readonly points: Float32Array;
  readonly labels?: Int32Array;
  readonly method: 'latent' | 'pca';
  /** Axis titles: `z₁`, `z₂` or `PC1 (23% of variance)`… */
  readonly axes: readonly [string, string];
  /** PCA only: the share of the latent means' variance each axis shows. */
  readonly explained?: readonly [number, number];
}

/**
 * A 2-D map of a split in latent space: the posterior means μ(x) of its rows, shown directly when
 * the latent is 2-D (`auto`, `latent`), otherwise (`auto`, `pca`) projected on their first two
 * principal components (`fitPca` on the same means, so the map is the linear view with the most
 * spread). Labels come from the split when it has them.
 */
export async function latentMap(model: VaeModel, split: DataSplit, opts: BatchOptions & { method?: MapMethod } = {}): Promise<LatentMap> {
  const L = model.shape.latentDim;
  const method = opts.method ?? 'auto';
  if (L < 2) throw new ConfigError(`the model's latent is ${L}-dimensional; a latent map needs at least 2 dimensions`);
  if (method === 'latent' && L !== 2) throw new ConfigError(`method "latent" shows 2-D latents as they are; this model's latent has ${L} dimensions (use "pca")`);
  const enc = await encodeExamples(model, split, opts);
  if (enc.n < 2) throw new ConfigError(`a latent map needs at least 2 rows, got ${enc.n}`);
  if (L === 2 && method !== 'pca') {
    return { n: enc.n, points: enc.mean, labels: enc.labels, method: 'latent', axes: ['z₁', 'z₂'] };
  }
  const pca = fitPca(enc.mean, L, 2);
  const explained = [pca.explained[0]!, pca.explained[1]!] as const;
  const pct = (v: number) => `${(100 * v).toFixed(0)}% of variance`;
  return { n: enc.n, points: pca.project(enc.mean), labels: enc.labels, method: 'pca', axes: [`PC1 (${pct(explained[0])})`, `PC2 (${pct(explained[1])})`], explained };
}
