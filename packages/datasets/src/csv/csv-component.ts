import { datasetComponent } from '../data/dataset-component.js';
import { csvOptions } from './csv-options.js';
import { loadCsv } from './load-csv.js';

/** `dataset/csv`: tabular rows for tabular models (Gaussian likelihood) and tabular anomaly detection. */
export const csvComponent = datasetComponent(
  'csv',
  'Tabular rows from a CSV file: chosen numeric columns as features, an optional label column, standardised with train statistics; seeded or explicit train/test split',
  csvOptions,
  loadCsv,
);
