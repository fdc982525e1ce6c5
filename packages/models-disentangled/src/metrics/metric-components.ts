import type { ComponentManifest } from '@elbo/core';

/** Placeholder until the disentanglement metrics land: the metric components of this package. */
export const metricComponents: ComponentManifest = [];
