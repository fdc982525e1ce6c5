import type { ModelShape, ResolvedRunConfig } from '@elbo/core';

/** `artifacts/model/model.json` as `saveModel` writes it. */
export interface SavedModel {
  readonly format: string;
  readonly model: ResolvedRunConfig['model'];
  readonly data: ResolvedRunConfig['data'];
  readonly shape: ModelShape;
  readonly tensors: readonly { readonly name: string; readonly shape: readonly number[]; readonly offset: number }[];
}

/** What a component factory may read of the run's dataset, without its rows. */
export interface DatasetSummary {
  readonly name: string;
  readonly shape: readonly number[];
  readonly support: 'binary' | 'continuous';
  readonly numClasses?: number;
  readonly trainSize: number;
  readonly labelled: boolean;
  /** Width of the dataset's condition vectors, when it has them. */
  readonly conditionDim?: number;
}

/** The 2-D latent map of test rows, with the latent means the page decodes on hover. */
export interface SiteMap {
  readonly n: number;
  /** n × 2, row-major. */
  readonly points: readonly number[];
  /** n × latent, row-major. */
  readonly means: readonly number[];
  readonly labels?: readonly number[];
  /** What each label is called (class names of CSV runs, else the number). */
  readonly labelNames?: readonly string[];
  readonly method: string;
  readonly axes: readonly [string, string];
}

/** `data.json` of an exported site: everything the page shows besides the model. */
export interface SiteData {
  readonly format: 'elbo-explorer/1';
  readonly runId: string;
  readonly title: string;
  /** The run's resolved config as YAML. */
  readonly configYaml: string;
  /** Held-out metrics (`test/*` of the last epoch, `final/*`). */
  readonly metrics: Readonly<Record<string, number>>;
  /** KL of each latent dimension on held-out data (evaluation.json), when the run has it. */
  readonly klPerDim?: readonly number[];
  readonly dataset: DatasetSummary;
  readonly map?: SiteMap;
  /** Classes a conditional model's picker offers (label conditions), or the width of a vector condition. */
  readonly condition?: { readonly kind: 'class'; readonly classes: readonly string[] } | { readonly kind: 'vector'; readonly dim: number };
  /** Whether the page draws the traversal grid (models trained with a disentangling divergence). */
  readonly traversal: boolean;
  /** Whether each latent dimension is active (the variance of its posterior means over held-out rows above 0.01, as `final/active_units` counts). */
  readonly active?: readonly boolean[];
}
