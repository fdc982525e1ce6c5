import { join } from 'node:path';
import { evaluate, openRun, StderrLogger, writeFileAtomic, RunFiles, type BackendPreference } from '@elbo/core';
import { setupForRun } from '../setup.js';

/** `elbo eval <run-dir> [--k 5000]`: held-out metrics of a trained run, saved beside its artifacts. */
export async function evalCommand(args: { runDir: string; k: number; limit?: number; backend?: BackendPreference; json: boolean }): Promise<number> {
  const logger = new StderrLogger();
  const s = await setupForRun(args.runDir);
  const run = await openRun(args.runDir, { ...s, logger, backend: args.backend });
  try {
    const t0 = performance.now();
    let last = 0;
    const ev = await evaluate(
      run.model,
      run.dataset.test,
      run.rng.stream('final-eval'),
      {
        k: args.k,
        batchSize: run.config.eval.batchSize,
        limit: args.limit,
        onProgress: (done, total) => {
          const now = performance.now();
          if (now - last > 2000 || done === total) {
            last = now;
            logger.info(`eval: ${done}/${total} test examples (${((now - t0) / 1000).toFixed(1)} s)`);
          }
        },
      },
    );
    const file = join(args.runDir, RunFiles.artifacts, `evaluation-k${args.k}.json`);
    await writeFileAtomic(file, JSON.stringify(ev, null, 1));
    if (args.json) process.stdout.write(`${JSON.stringify(ev)}\n`);
    else {
      const lines = [
        `run            ${args.runDir} (epoch ${run.epoch})`,
        `examples       ${ev.n} (test split)`,
        `negative ELBO  ${ev.negElbo.toFixed(3)} nats  (recon ${ev.recon.toFixed(3)} + KL ${ev.kl.toFixed(3)})`,
        ev.iwae !== undefined ? `IWAE −log p(x)  ${ev.iwae.toFixed(3)} nats  (k = ${ev.k})` : `IWAE           skipped (k = 0)`,
        `active units   ${ev.activeUnits} of ${run.config.model.latent}`,
        ev.klPerDim ? `KL per dim     ${ev.klPerDim.map((v) => v.toFixed(2)).join(' ')}` : '',
        `saved          ${file}`,
      ];
      process.stdout.write(lines.filter(Boolean).join('\n') + '\n');
    }
    return 0;
  } finally {
    run.dispose();
  }
}
