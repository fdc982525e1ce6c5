import { type DataSplit, ConfigError, type VaeModel, mulberry32 } from '@elbo/core';
import { encodeExamples } from './encode-examples.js';
import { fitPca } from './fit-pca.js';
import type { BatchOptions } from './map-batches.js';

/**
 * How latent codes become 2-D points: the code itself (2-D latents), its first two principal
 * components, or a UMAP embedding.
 */
export const MAP_METHODS = ['auto', 'latent', 'pca', 'umap'] as const;
export type MapMethod = (typeof MAP_METHODS)[number];

export interface LatentMap {
  readonly n: number;
  /** n points (x, y), row-major n × 2. */
  readonly points: Float32Array;
  readonly labels?: Int32Array;
  readonly method: Exclude<MapMethod, 'auto'>;
  /** Axis titles: `z₁`, `z₂`, `PC1 (23% of variance)`, `UMAP 1`… */
  readonly axes: readonly [string, string];
  /** PCA only: the share of the latent means' variance each axis shows. */
  readonly explained?: readonly [number, number];
}

/**
 * A 2-D map of a split in latent space: the posterior means μ(x) of its rows, shown directly when
 * the latent is 2-D (`auto`, `latent`), otherwise (`auto`, `pca`) projected on their first two
 * principal components (`fitPca` on the same means, so the map is the linear view with the most
 * spread), or (`umap`) embedded by UMAP (McInnes et al. 2018; umap-js, 15 neighbours, min_dist
 * 0.1, random initialisation from `seed`), which keeps neighbourhoods rather than global distances.
 * Measured on the embedded test digits (10-D latent): the label of a point's nearest neighbour
 * agrees 41% of the time under PCA and 74% under UMAP (81% in the full latent), at ~5 s against
 * ~10 ms for 2,004 points. Labels come from the split when it has them.
 */
export async function latentMap(model: VaeModel, split: DataSplit, opts: BatchOptions & { method?: MapMethod; seed?: number } = {}): Promise<LatentMap> {
  const L = model.shape.latentDim;
  const method = opts.method ?? 'auto';
  if (L < 2) throw new ConfigError(`the model's latent is ${L}-dimensional; a latent map needs at least 2 dimensions`);
  if (method === 'latent' && L !== 2) throw new ConfigError(`method "latent" shows 2-D latents as they are; this model's latent has ${L} dimensions (use "pca")`);
  const enc = await encodeExamples(model, split, opts);
  if (enc.n < 2) throw new ConfigError(`a latent map needs at least 2 rows, got ${enc.n}`);
  if (L === 2 && method !== 'pca') {
    return { n: enc.n, points: enc.mean, labels: enc.labels, method: 'latent', axes: ['z₁', 'z₂'] };
  }
  if (method === 'umap') return { n: enc.n, points: await umap(enc.mean, L, opts.seed ?? 0), labels: enc.labels, method: 'umap', axes: ['UMAP 1', 'UMAP 2'] };
  const pca = fitPca(enc.mean, L, 2);
  const explained = [pca.explained[0]!, pca.explained[1]!] as const;
  const pct = (v: number) => `${(100 * v).toFixed(0)}% of variance`;
  return { n: enc.n, points: pca.project(enc.mean), labels: enc.labels, method: 'pca', axes: [`PC1 (${pct(explained[0])})`, `PC2 (${pct(explained[1])})`], explained };
}

/** UMAP embedding of rows (n × dim) into 2-D; umap-js is loaded on first use only. */
async function umap(rows: Float32Array, dim: number, seed: number): Promise<Float32Array> {
  const n = rows.length / dim;
  if (n < 3) throw new ConfigError(`a UMAP map needs at least 3 rows, got ${n}`);
  const { UMAP } = await import('umap-js');
  const u = new UMAP({ nComponents: 2, nNeighbors: Math.min(15, n - 1), minDist: 0.1, random: mulberry32(seed) });
  const data = Array.from({ length: n }, (_, i) => Array.from(rows.subarray(i * dim, (i + 1) * dim)));
  const emb = await u.fitAsync(data);
  return Float32Array.from(emb.flat());
}
