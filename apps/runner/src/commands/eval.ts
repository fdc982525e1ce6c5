import { join } from 'node:path';
import { ParameterStore, appendCheckpointEvaluations, buildTrackers, evaluate, groundTruthData, modelRepresentation, openRun, StderrLogger, writeFileAtomic, RunFiles, runIdOf, experimentOf, type EvaluationMetric, type MetricPoint } from '@elbo/core';
import { type BackendPreference } from '@elbo/compute';
import { setupForRun } from '../setup.js';

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
 * run, saved beside its artifacts and sent to the run's trackers (at the run's last step).
 */
export async function evalCommand(args: EvalArgs): Promise<number> {
  const logger = new StderrLogger();
  const s = await setupForRun(args.runDir);
  const run = await openRun(args.runDir, { ...s, logger, backend: args.backend });
  try {
    // Resolve every metric before computing anything, so a typo fails at once.
    const metrics = args.metrics.map((name) => {
      const section = { name, ...(run.config.eval.metrics[name] ?? {}) };
      return { name, resolved: s.registry.resolve('metric', section, `--metrics ${name}`) };
    });
    const t0 = performance.now();
    let last = 0;
    const ev = await evaluate(run.model, run.dataset.test, run.rng.stream('final-eval'), {
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
    });
    const scores: Record<string, number> = {};
    if (metrics.length) {
      const data = groundTruthData(run.dataset.train, `${args.runDir}: data`);
      const rep = modelRepresentation(run.model);
      for (const { name, resolved } of metrics) {
        const t = performance.now();
        const metric = await s.registry.create<EvaluationMetric>(resolved, { container: s.container, rng: run.rng, logger, params: new ParameterStore('metric') });
        const out = await metric(rep, data, run.rng.stream(`eval/metric/${name}`));
        for (const [key, value] of Object.entries(out)) scores[`${name}/${key}`] = value;
        logger.info(`metric ${name}: ${Object.entries(out).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
      }
    }
    const file = join(args.runDir, RunFiles.artifacts, `evaluation-k${args.k}.json`);
    await writeFileAtomic(file, JSON.stringify({ ...ev, metrics: scores }, null, 1));
    await sendToTrackers(run, s, logger, { [`test/iwae_k${args.k}`]: ev.iwae ?? NaN, ...scores }, file);
    if (args.json) process.stdout.write(`${JSON.stringify({ ...ev, metrics: scores })}\n`);
    else {
      const lines = [
        `run            ${args.runDir} (epoch ${run.epoch})`,
        `examples       ${ev.n} (test split)`,
        `negative ELBO  ${ev.negElbo.toFixed(3)} nats  (recon ${ev.recon.toFixed(3)} + KL ${ev.kl.toFixed(3)})`,
        ev.iwae !== undefined ? `IWAE −log p(x)  ${ev.iwae.toFixed(3)} nats  (k = ${ev.k})` : `IWAE           skipped (k = 0)`,
        `active units   ${ev.activeUnits} of ${run.config.model.latent}`,
        ev.klPerDim ? `KL per dim     ${ev.klPerDim.map((v) => v.toFixed(2)).join(' ')}` : '',
        ...Object.entries(scores).map(([k, v]) => `${k.padEnd(15)}${v.toFixed(4)}`),
        `saved          ${file}`,
      ];
      process.stdout.write(lines.filter(Boolean).join('\n') + '\n');
    }
    return 0;
  } finally {
    run.dispose();
  }
}

/** Reopens the run's trackers on its saved history and adds the new values at its last step. */
async function sendToTrackers(run: Awaited<ReturnType<typeof openRun>>, s: Awaited<ReturnType<typeof setupForRun>>, logger: StderrLogger, values: Record<string, number>, file: string): Promise<void> {
  const finite = Object.entries(values).filter(([, v]) => !Number.isNaN(v));
  if (!finite.length) return;
  const trackers = { ...run.config, tracking: Object.fromEntries(Object.entries(run.config.tracking).filter(([name]) => name !== 'console')) };
  const hub = await buildTrackers(trackers, { container: s.container, registry: s.registry, rng: run.rng, logger, runDir: run.runDir });
  const now = Date.now();
  const points: MetricPoint[] = finite.map(([key, value]) => ({ key, value, step: run.epoch, timestamp: now }));
  await hub.start(
    { runId: runIdOf(run.runDir), experiment: experimentOf(run.runDir), runDir: run.runDir, startedAt: now, config: run.config as unknown as Record<string, unknown>, tags: {} },
    { history: run.history },
  );
  try {
    await hub.logMetrics(points);
    await hub.logArtifact(file.slice(join(run.runDir, RunFiles.artifacts).length + 1), file);
  } finally {
    await hub.finish('FINISHED');
  }
  await appendCheckpointEvaluations(join(run.runDir, RunFiles.checkpoint), points);
}
