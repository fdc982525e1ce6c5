import { resolve } from 'node:path';
import { ConfigError, writeFileAtomic, type OpenRun } from '@elbo/core';
import { reconstructExamples } from '@elbo/uses';
import { formatCsv, isCsvDataset, writePngFolder } from '@elbo/datasets';
import { withRunInput, type RunInputArgs } from './run-input.js';

/**
 * `elbo denoise <run> --input noisy/ --out clean/ [--limit N]`: the model's reconstruction
 * E[x | z = μ(x)] of every input row (`reconstructExamples`). A folder of PNGs gives a folder of
 * PNGs with the same names; with `--out *.csv` the reconstructions are written as CSV rows
 * (id, then `v_0 …`), as they must be for non-image data; for a run trained on `dataset/csv` the
 * columns are the run's feature columns, in the file's units (the standardisation undone).
 */
export async function denoiseCommand(args: RunInputArgs & { readonly out: string }): Promise<number> {
  const toCsv = args.out.toLowerCase().endsWith('.csv');
  const out = resolve(args.out);
  if (!toCsv && out === resolve(args.input)) throw new ConfigError(`--out ${args.out}: is the input folder; write the reconstructions elsewhere so the inputs stay`);
  const imagesOnly = (run: OpenRun) => {
    const shape = run.dataset.shape;
    const image = shape.length === 3 && (shape[2] === 1 || shape[2] === 3);
    if (!toCsv && !image) throw new ConfigError(`--out ${args.out}: this run's data (shape [${shape.join(', ')}]) are not images; give a .csv file`);
  };
  return withRunInput(
    args,
    async ({ run, input, logger, batches }) => {
      const rec = await reconstructExamples(run.model, input.split, batches('denoise'));
      const D = input.split.dim;
      const n = rec.length / D;
      if (toCsv) {
        const features = isCsvDataset(run.dataset) ? run.dataset.features : undefined;
        const s = features?.standardization;
        if (s) for (let i = 0; i < rec.length; i++) rec[i] = rec[i]! * s.std[i % D]! + s.mean[i % D]!;
        const rows = Array.from({ length: n }, (_, i) => [input.ids[i]!, ...rec.subarray(i * D, (i + 1) * D)]);
        await writeFileAtomic(out, formatCsv([input.idHeader, ...(features?.columns ?? Array.from({ length: D }, (_, j) => `v_${j}`))], rows));
      } else {
        const names = input.kind === 'folder' ? input.ids.slice(0, n).map(String) : input.ids.slice(0, n).map((id) => `${input.source}-${String(id).padStart(5, '0')}.png`);
        await writePngFolder(out, names, rec, run.dataset.shape as [number, number, number]);
      }
      logger.info(`denoise: ${n} reconstructions of ${input.source} → ${out}`);
      process.stdout.write(`${out}\n`);
      return 0;
    },
    imagesOnly,
  );
}
