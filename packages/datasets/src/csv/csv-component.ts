import { defineComponent, type Dataset } from '@elbo/core';
import { csvOptions } from './csv-options.js';
import { loadCsv } from './load-csv.js';

/** `dataset/csv`: tabular rows for tabular models (Gaussian likelihood) and tabular anomaly detection. */
export const csvComponent = defineComponent<Promise<Dataset>, typeof csvOptions>({
  kind: 'dataset',
  name: 'csv',
  summary: 'Tabular rows from a CSV file: chosen numeric columns as features, an optional label column, standardised with train statistics; seeded or explicit train/test split',
  options: csvOptions,
  create: (options, ctx) => loadCsv(options, { rng: ctx.rng, logger: ctx.logger, runDir: ctx.runDir }),
});
