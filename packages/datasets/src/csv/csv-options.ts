import { z } from 'zod';
import { opt } from '@elbo/core';
import { limitOption } from '../data/dataset-options.js';

const path = (what: string) => opt.string().min(1, { error: `expected ${what}` });

/**
 * Options of `dataset/csv`: tabular rows from a CSV file with a header, some numeric columns as
 * features, optionally one class column, standardised with the train split's statistics.
 */
export const csvOptions = z
  .object({
    file: path('a CSV file path').describe('CSV file with a header row (relative to the working directory)'),
    testFile: path('a CSV file path').optional().describe('held-out rows with the same columns (default: a seeded split of `file`)'),
    testFraction: opt.range(0, 1).default(0.2).describe('share of `file` held out as the test split when there is no `testFile`'),
    splitSeed: opt.nonNegativeInt().optional().describe("seed of that split (default: the run's seed)"),
    columns: z.array(opt.string(), { error: 'expected a list of column names' }).min(1).optional().describe('feature columns by header name (default: every column but `label`)'),
    label: opt.string().optional().describe('class column (integers ≥ 0 or names); never a feature'),
    standardize: opt.boolean().default(true).describe("z-score every feature with the train split's mean and standard deviation (stored in the run's artifacts/csv-features.json)"),
    delimiter: opt.string().length(1, { error: 'expected one character' }).default(',').describe('field delimiter'),
    name: opt
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'expected a name of letters, digits, ".", "_" or "-"' })
      .optional()
      .describe("dataset name for logs (default: the file's name)"),
    limit: limitOption(),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.testFile === undefined && !(o.testFraction > 0 && o.testFraction < 1)) {
      ctx.addIssue({ code: 'custom', path: ['testFraction'], message: `expected a share between 0 and 1 (exclusive) when there is no testFile, got ${o.testFraction}` });
    }
    if (o.label !== undefined && o.columns?.includes(o.label))
      ctx.addIssue({ code: 'custom', path: ['columns'], message: `"${o.label}" is the label column; it cannot also be a feature` });
  });
export type CsvOptions = z.output<typeof csvOptions>;
export type CsvOptionsInput = z.input<typeof csvOptions>;
