import { join } from 'node:path';
import type { Container } from 'inversify';
import type { BackendPreference } from '@elbo/compute';
import { groundTruthData, modelRepresentation, type EvaluationMetric } from '../evaluation/model-metrics.js';
import { ParameterStore } from '../model/parameters.js';
import type { ComponentRegistry } from '../registry/component-registry.js';
import { writeFileAtomic } from '../runtime/files.js';
import { progressLog, type Logger } from '../runtime/logger.js';
import type { MetricPoint } from '../tracking/tracker.js';
import { appendCheckpointEvaluations } from '../training/checkpoint.js';
import { evaluate, type Evaluation } from '../training/evaluate.js';
import { buildTrackers } from './build-model.js';
import { openRun, type OpenRun } from './open-run.js';
import { experimentOf, RunFiles, runIdOf } from './run-folder.js';

export interface EvaluateRunOptions {
  readonly container: Container;
  readonly registry: ComponentRegistry;
  readonly logger: Logger;
  /** Importance samples for the IWAE estimate of −log p(x) (0: skip). */
  readonly k: number;
  /** Evaluate the first `limit` test examples only. */
  readonly limit?: number;
  readonly backend?: BackendPreference;
  /** Names of `metric/<name>` components (disentanglement metrics); options from `eval.metrics.<name>`. */
  readonly metrics?: readonly string[];
}

export interface RunEvaluation extends Evaluation {
  /** Epochs the evaluated weights were trained for. */
  readonly epoch: number;
  readonly latent: number;
  /** Metric values by `<metric>/<key>`. */
  readonly metrics: Record<string, number>;
  /** Where the result was saved: `artifacts/evaluation-k<k>.json`. */
  readonly file: string;
}

/**
 * The evaluation of a trained run (what `elbo eval` prints): held-out negative ELBO, the IWAE
 * estimate with `k` samples, KL per dimension, active units, and any disentanglement metrics; saved
 * beside the run's artifacts, sent to its trackers at its last step, and added to its checkpoint's
 * record. Every metric name is resolved before anything is computed, so a typo fails at once.
 */
export async function evaluateRun(runDir: string, o: EvaluateRunOptions): Promise<RunEvaluation> {
  const { logger } = o;
  const run = await openRun(runDir, o);
  try {
    const metrics = (o.metrics ?? []).map((name) => ({ name, resolved: o.registry.resolve('metric', { name, ...(run.config.eval.metrics[name] ?? {}) }, `--metrics ${name}`) }));
    const ev = await evaluate(run.model, run.dataset.test, run.rng.stream('final-eval'), {
      k: o.k,
      batchSize: run.config.eval.batchSize,
      limit: o.limit,
      compile: run.config.train.compile,
      onProgress: progressLog(logger, 'eval', 'test examples'),
    });
    const scores: Record<string, number> = {};
    if (metrics.length) {
      const data = groundTruthData(run.dataset.train, `${runDir}: data`);
      const rep = modelRepresentation(run.model);
      for (const { name, resolved } of metrics) {
        const t = performance.now();
        const metric = await o.registry.create<EvaluationMetric>(resolved, { container: o.container, rng: run.rng, logger, params: new ParameterStore('metric') });
        const out = await metric(rep, data, run.rng.stream(`eval/metric/${name}`));
        for (const [key, value] of Object.entries(out)) scores[`${name}/${key}`] = value;
        const values = Object.entries(out).map(([k, v]) => `${k} ${v.toFixed(4)}`);
        logger.info(`metric ${name}: ${values.join(', ')} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
      }
    }
    const file = join(runDir, RunFiles.artifacts, `evaluation-k${o.k}.json`);
    await writeFileAtomic(file, JSON.stringify({ ...ev, metrics: scores }, null, 1));
    await record(run, o, { [`final/iwae_k${o.k}`]: ev.iwae ?? NaN, ...scores }, file);
    return { ...ev, epoch: run.epoch, latent: run.config.model.latent, metrics: scores, file };
  } finally {
    run.dispose();
  }
}

/** Reopens the run's trackers (console aside) on its saved history and adds the new values at its last step;
 *  a key already there (training's `final/iwae_k<k>`, an earlier eval) keeps its value, the new one is in the file. */
async function record(run: OpenRun, o: EvaluateRunOptions, values: Record<string, number>, file: string): Promise<void> {
  const taken = new Set(run.history.filter((p) => p.step === run.epoch).map((p) => p.key));
  const finite = Object.entries(values).filter(([k, v]) => !Number.isNaN(v) && !taken.has(k));
  if (finite.length < Object.keys(values).length) o.logger.info(`metrics already recorded at step ${run.epoch} keep their values; this evaluation is in ${file}`);
  if (!finite.length) return;
  const config = { ...run.config, tracking: Object.fromEntries(Object.entries(run.config.tracking).filter(([name]) => name !== 'console')) };
  const hub = await buildTrackers(config, { container: o.container, registry: o.registry, rng: run.rng, logger: o.logger, runDir: run.runDir });
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
