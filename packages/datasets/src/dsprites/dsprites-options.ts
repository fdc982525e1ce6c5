import { z } from 'zod';
import { opt, show } from '@elbo/core';

const expected = (what: string) => (iss: { input?: unknown }) => `expected ${what}, got ${show(iss.input)}`;

/**
 * Options of `dataset/dsprites`.
 *
 * - `source: generator` (default) draws the images procedurally; `source: file` reads the official
 *   .npz from `path`, or downloads it from `url` (verified against `sha256`) into `path` or the cache.
 * - Splits: dSprites has no official test split. `test` is a fixed random subset of `testSize` grid
 *   points drawn with `splitSeed` (independent of the run seed, so held-out numbers compare across
 *   runs); `train` is the whole grid, or a random subset of `trainSize` points from the same seed;
 *   `disjoint: true` removes the test points from train.
 */
export const dspritesOptions = z
  .object({
    source: opt.oneOf(['generator', 'file']).default('generator').describe('generator: images drawn on demand (same factor grid); file: the official .npz'),
    path: opt
      .string()
      .min(1, { error: expected('a file path') })
      .optional()
      .describe('the official .npz (source: file); with url, where the download is kept'),
    url: opt.string().optional().describe('URL to download the .npz from (source: file, with sha256)'),
    sha256: z
      .string({ error: expected('a SHA-256 digest (64 hex digits)') })
      .regex(/^[0-9a-fA-F]{64}$/, { error: expected('a SHA-256 digest (64 hex digits)') })
      .optional()
      .describe('hex SHA-256 of the file at url'),
    trainSize: opt.positiveInt().optional().describe('train on a random subset of this many grid points (default: all 737,280)'),
    testSize: opt.positiveInt().default(5000).describe('size of the fixed random test subset of the grid'),
    disjoint: opt.boolean().default(false).describe('remove the test points from the train split'),
    splitSeed: opt.nonNegativeInt().default(0).describe('seed of the split draws (fixed, independent of the run seed)'),
  })
  .strict()
  .superRefine((o, ctx) => {
    const issue = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (o.source === 'generator') {
      for (const key of ['path', 'url', 'sha256'] as const) if (o[key] !== undefined) issue([key], 'only used with `source: file`');
      return;
    }
    if (o.path === undefined && o.url === undefined) issue([], 'source: file needs `path` (the dSprites .npz) or `url` with `sha256`');
    if (o.url !== undefined && !/^https?:\/\//.test(o.url)) issue(['url'], `expected an http(s) URL, got ${show(o.url)}`);
    if (o.url !== undefined && o.sha256 === undefined) issue(['sha256'], 'required with `url`: the SHA-256 of the file to download');
    if (o.url === undefined && o.sha256 !== undefined) issue(['sha256'], 'only used with `url`');
  });
export type DspritesOptions = z.output<typeof dspritesOptions>;
export type DspritesOptionsInput = z.input<typeof dspritesOptions>;
