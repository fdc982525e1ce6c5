import { basename, extname } from 'node:path';
import { ConfigError, DataError, RandomStream, Rng } from '@elbo/core';
import { parseOptions, type LoadEnv } from '../data/dataset-options.js';
import { InMemorySplit } from '../data/in-memory-split.js';
import { expandPath } from '../idx/load-idx.js';
import { csvOptions, type CsvOptionsInput } from './csv-options.js';
import { readCsvFeatures, writeCsvFeatures, type CsvDataset, type CsvFeatures } from './csv-features.js';
import { columnIndices, numericColumns, readCsvTable, type CsvTable } from './read-csv-table.js';
import { applyStandardization, fitStandardization } from './standardization.js';
import { labelIndices, labelNamesOf } from './csv-labels.js';

/**
 * Tabular data from CSV (`dataset/csv`): the chosen numeric columns of every row as a vector of
 * shape [features], `support: continuous` (model it with a Gaussian likelihood), labels from the
 * `label` column.
 *
 * Split: `testFile` when given; otherwise ⌊testFraction·n⌉ rows of `file` drawn without
 * replacement by a permutation from stream `data/csv/split` under `splitSeed` (default the run's
 * seed), both splits keeping file order; `limit` then keeps a split's first N rows.
 * Standardisation: each feature's train mean and population standard deviation (constant
 * features: std 1). When the run has a folder, the columns, class names and standardisation are
 * stored in `artifacts/csv-features.json` at first build and read back when the run is reopened,
 * so later scoring applies exactly the training-time transform.
 */
export async function loadCsv(options: CsvOptionsInput, env: LoadEnv & { readonly runDir?: string } = {}): Promise<CsvDataset> {
  const o = parseOptions(csvOptions, options, 'csv');
  const seed = o.splitSeed ?? (env.rng ?? new Rng(0)).seed;
  const stored = env.runDir ? await readCsvFeatures(env.runDir) : undefined;
  const main = await readCsvTable(expandPath(o.file), { delimiter: o.delimiter, header: true });
  const labelCol = o.label !== undefined ? columnIndices(main, [o.label], 'label column')[0]! : undefined;
  const columns = o.columns ?? main.header.filter((_, i) => i !== labelCol);
  if (columns.length === 0) throw new DataError(main.file, 'no feature columns left besides the label');
  if (stored && stored.columns.join('\u0000') !== columns.join('\u0000')) {
    throw new ConfigError(`${env.runDir}: the run was trained on columns ${stored.columns.join(', ')}, but the config now selects ${columns.join(', ')}`);
  }

  let parts: { table: CsvTable; rows?: Int32Array }[];
  if (o.testFile !== undefined) {
    parts = [{ table: main }, { table: await readCsvTable(expandPath(o.testFile), { delimiter: o.delimiter, header: true }) }];
  } else {
    const n = main.rows.length;
    const nTest = Math.round(o.testFraction * n);
    if (nTest < 1 || nTest > n - 1)
      throw new ConfigError(`${main.file}: ${n} rows cannot be split with testFraction ${o.testFraction} (${nTest} test rows); give more rows or a testFile`);
    const perm = new RandomStream('data/csv/split', seed).permutation(n);
    parts = [
      { table: main, rows: perm.slice(nTest).sort() },
      { table: main, rows: perm.slice(0, nTest).sort() },
    ];
  }
  // `limit` keeps the first N rows of a split (in file order) before anything is fitted.
  parts = parts.map(({ table, rows }, i) => {
    const n = i === 0 ? o.limit?.train : o.limit?.test;
    return n === undefined ? { table, rows } : { table, rows: (rows ?? Int32Array.from(table.rows, (_, k) => k)).slice(0, n) };
  });
  const [train, test] = parts.map(({ table, rows }) => ({ table, rows, values: numericColumns(table, columnIndices(table, columns, 'feature column'), rows) }));

  let labelNames = stored?.labelNames;
  let labels: (Int32Array | undefined)[] = [undefined, undefined];
  if (o.label !== undefined) {
    labelNames ??= labelNamesOf([train!, test!].map(({ table, rows }) => ({ table, col: columnIndices(table, [o.label!], 'label column')[0]!, rows })));
    labels = [train!, test!].map(({ table, rows }) => labelIndices(table, columnIndices(table, [o.label!], 'label column')[0]!, labelNames!, rows));
  }

  const F = columns.length;
  const standardization = stored ? stored.standardization : o.standardize ? fitStandardization(train!.values, F) : undefined;
  if (standardization) for (const s of [train!, test!]) applyStandardization(s.values, standardization);
  const features: CsvFeatures = { columns, label: o.label, labelNames, standardization };
  if (env.runDir && !stored) await writeCsvFeatures(env.runDir, features);

  const trainSplit = new InMemorySplit(train!.values, F, labels[0]);
  const testSplit = new InMemorySplit(test!.values, F, labels[1]);
  const name = o.name ?? basename(o.file, extname(o.file)).replace(/[^A-Za-z0-9._-]+/g, '-');
  const split = o.testFile !== undefined ? `test rows from ${o.testFile}` : `seeded split (seed ${seed}, ${Math.round(o.testFraction * 100)}% test)`;
  const line = `csv ${o.file}: ${F} features${o.label ? `, label "${o.label}" (${labelNames!.length} classes)` : ''}; ${split}; train ${trainSplit.size}, test ${testSplit.size}; ${standardization ? 'standardised with train mean/std' : 'not standardised'}`;
  return {
    name,
    shape: [F],
    support: 'continuous',
    ...(labelNames ? { numClasses: labelNames.length } : {}),
    train: trainSplit,
    test: testSplit,
    features,
    describe: () => line,
  };
}
