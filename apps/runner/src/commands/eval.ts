import { evaluateRun, StderrLogger } from '@elbo/core';
import type { BackendPreference } from '@elbo/compute';
import { setupForRun } from '../setup.js';
import { countOption } from './option-checks.js';

export interface EvalArgs {
  runDir: string;
  k: number;
  limit?: number;
  backend?: BackendPreference;
  json: boolean;
  /** Names of `metric/<name>` components (disentanglement metrics). */
  metrics: string[];
}

/**
 * `elbo eval <run-dir> [--k 5000] [--metrics mig,factorvae,dci]`: held-out metrics of a trained
 * run (core's `evaluateRun`), saved beside its artifacts and sent to the run's trackers. `--k 0`
 * skips IWAE (the file then holds the negative ELBO and active units). Counts are checked before the
 * run is opened; a `--k` whose importance weights would not fit is refused before anything is saved.
 */
export async function evalCommand(args: EvalArgs): Promise<number> {
  countOption('--k', args.k, 0);
  countOption('--limit', args.limit);
  const logger = new StderrLogger();
  const ev = await evaluateRun(args.runDir, { ...(await setupForRun(args.runDir)), logger, k: args.k, limit: args.limit, backend: args.backend, metrics: args.metrics });
  const { epoch, latent, metrics: scores, file, ...result } = ev;
  if (args.json) process.stdout.write(`${JSON.stringify({ ...result, metrics: scores })}\n`);
  else {
    const lines = [
      `run            ${args.runDir} (epoch ${epoch})`,
      `examples       ${ev.n} (test split)`,
      `negative ELBO  ${ev.negElbo.toFixed(3)} nats  (recon ${ev.recon.toFixed(3)} + KL ${ev.kl.toFixed(3)})`,
      ev.iwae !== undefined ? `IWAE −log p(x)  ${ev.iwae.toFixed(3)} nats  (k = ${ev.k})` : `IWAE           skipped (k = 0)`,
      `active units   ${ev.activeUnits} of ${latent}`,
      ev.klPerDim ? `KL per dim     ${ev.klPerDim.map((v) => v.toFixed(2)).join(' ')}` : '',
      ...Object.entries(scores).map(([k, v]) => `${k.padEnd(15)}${v.toFixed(4)}`),
      `saved          ${file}`,
    ];
    process.stdout.write(lines.filter(Boolean).join('\n') + '\n');
  }
  return 0;
}
