import { z } from 'zod';
import { opt, show } from '@elbo/core';
import { binarizeOption, limitOption } from '../data/dataset-options.js';
import { corruptOption } from '../transforms/corrupt.js';

/** The four files of an MNIST-family dataset, by their canonical names (each may also end in `.gz`). */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;
export type IdxFileRole = keyof typeof IDX_FILES;

const BASE_NAMES: readonly string[] = Object.values(IDX_FILES);
const DIGEST_NAMES: readonly string[] = BASE_NAMES.flatMap((b) => [b, `${b}.gz`]);

const expected = (what: string) => (iss: { input?: unknown }) => `expected ${what}, got ${show(iss.input)}`;
const digest = () => {
  const e = expected('a SHA-256 digest (64 hex digits)');
  return z.string({ error: e }).regex(/^[0-9a-fA-F]{64}$/, { error: e });
};

/**
 * Options of `dataset/idx`. Exactly one source: `dir` (a folder already holding the files) or `url`
 * (a base URL; each file named in `sha256` is fetched as `<url>/<file>` into `cache`, verified).
 */
export const idxOptions = z
  .object({
    /** Folder with the four IDX files, raw or `.gz`. */
    dir: opt
      .string()
      .min(1, { error: expected('a folder path') })
      .optional()
      .describe('folder with the four IDX files, raw or .gz'),
    /** Base URL to download the files from (http or https). */
    url: opt.string().optional().describe('base URL to download the files from (with sha256)'),
    /** File name → hex SHA-256; required with `url`, one entry per file (raw or `.gz` name). */
    sha256: z
      .record(z.string(), digest(), { error: expected('a map of file name to SHA-256 digest') })
      .optional()
      .describe('file name → hex SHA-256 of every downloaded file'),
    /** Download cache folder; default `~/.cache/elbo/idx/<name>`. */
    cache: opt
      .string()
      .min(1, { error: expected('a folder path') })
      .optional()
      .describe('download cache folder (default ~/.cache/elbo/idx/<name>)'),
    /** Dataset name for logs and the default cache folder; default: the folder's name or the URL's host and path. */
    name: opt
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: expected('a name of letters, digits, ".", "_" or "-"') })
      .optional()
      .describe('dataset name for logs and the cache folder'),
    binarize: binarizeOption(),
    limit: limitOption(),
    corrupt: corruptOption(),
    exclude: z.array(opt.nonNegativeInt()).optional().describe('classes left out of the train split (the test split keeps every class), for anomaly detection'),
  })
  .strict()
  .superRefine((o, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (o.dir === undefined && o.url === undefined) {
      issue([], 'give `dir` (a folder holding the IDX files) or `url` (a base URL to download them from, with `sha256`)');
    }
    if (o.dir !== undefined && o.url !== undefined) issue(['url'], 'give either `dir` or `url`, not both');
    if (o.url === undefined) {
      if (o.sha256 !== undefined) issue(['sha256'], 'only used with `url`');
      if (o.cache !== undefined) issue(['cache'], 'only used with `url`');
      return;
    }
    if (!isHttpUrl(o.url)) issue(['url'], `expected an http(s) URL, got ${show(o.url)}`);
    if (o.sha256 === undefined) {
      issue(['sha256'], `required with \`url\`: the SHA-256 of each file to download, e.g. { "${IDX_FILES.trainImages}.gz": "<64 hex digits>", … }`);
      return;
    }
    for (const key of Object.keys(o.sha256)) {
      if (!DIGEST_NAMES.includes(key)) issue(['sha256', key], `unknown file; expected the IDX file names ${BASE_NAMES.join(', ')} (each optionally with .gz)`);
    }
    for (const base of BASE_NAMES) {
      const given = [base, `${base}.gz`].filter((k) => k in o.sha256!);
      if (given.length === 0) issue(['sha256'], `missing a digest for ${base} (or ${base}.gz)`);
      if (given.length === 2) issue(['sha256'], `digests for both ${base} and ${base}.gz: keep the one to download`);
    }
  });
export type IdxOptions = z.output<typeof idxOptions>;
export type IdxOptionsInput = z.input<typeof idxOptions>;

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The file name (raw or `.gz`) that `sha256` names for `base`. */
export function downloadName(sha256: Readonly<Record<string, string>>, base: string): string {
  return `${base}.gz` in sha256 ? `${base}.gz` : base;
}
