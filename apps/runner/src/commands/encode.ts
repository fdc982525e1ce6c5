import { resolve } from 'node:path';
import { ConfigError, writeFileAtomic } from '@elbo/core';
import { encodeExamples } from '@elbo/uses';
import { formatCsv } from '@elbo/datasets';
import { labelText, withRunInput, type RunInputArgs } from './run-input.js';

/**
 * `elbo encode <run> --input test --out latents.csv [--limit N]`: the posterior q(z|x) of every
 * row as CSV — its id, label (when known), `mu_0 … mu_{L−1}` and `sigma_0 … sigma_{L−1}` — the
 * latent features for downstream models.
 */
export async function encodeCommand(args: RunInputArgs & { readonly out: string }): Promise<number> {
  if (!args.out.toLowerCase().endsWith('.csv')) throw new ConfigError(`--out ${args.out}: expected a .csv file name`);
  return withRunInput(args, async ({ run, input, logger, batches }) => {
    const enc = await encodeExamples(run.model, input.split, batches('encode'));
    const L = enc.dim;
    const header = [input.idHeader, ...(enc.labels ? ['label'] : []), ...Array.from({ length: L }, (_, j) => `mu_${j}`), ...Array.from({ length: L }, (_, j) => `sigma_${j}`)];
    const rows = Array.from({ length: enc.n }, (_, i) => [
      input.ids[i]!,
      ...(enc.labels ? [labelText(run, enc.labels[i])] : []),
      ...enc.mean.subarray(i * L, (i + 1) * L),
      ...enc.sigma.subarray(i * L, (i + 1) * L),
    ]);
    const out = resolve(args.out);
    await writeFileAtomic(out, formatCsv(header, rows));
    logger.info(`encode: ${enc.n} rows of ${input.source} → μ and σ of a ${L}-dimensional latent`);
    process.stdout.write(`${out}\n`);
    return 0;
  });
}
