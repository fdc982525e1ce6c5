import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, hasCheckpoint, opt, RunFiles } from '@elbo/core';
import { readMetrics } from '@elbo/trackers';
import type { SweepMetric } from './sweep-summary.js';

/** `scheduler: { name: asha, metric, rungs, eta }` in a sweep file. */
export const SchedulerSchema = z.strictObject({
  name: z.literal('asha', { error: (i) => `expected "asha" (the one scheduler there is), got ${JSON.stringify(i.input)}` }),
  /** Compared at every rung: a metric recorded every epoch (default: the sweep's metric, final/* read as test/*). */
  metric: opt.string().optional(),
  /** Epochs at which the trials are compared, increasing. */
  rungs: z
    .array(opt.positiveInt(), { error: 'expected a list of epochs' })
    .min(1, { error: 'expected at least one rung' })
    .refine((r) => r.every((e, i) => i === 0 || e > r[i - 1]!), { error: 'expected increasing epochs' }),
  /** The best 1/eta of the trials at a rung continue. */
  eta: z.number({ error: 'expected a number above 1' }).gt(1, { error: 'expected a number above 1' }).default(3),
});
export type SchedulerSection = z.infer<typeof SchedulerSchema>;

/** A checked ASHA scheduler for a sweep whose trials train for `epochs`. */
export interface Asha {
  readonly metric: SweepMetric;
  /** The rungs below `epochs` (decisions are taken there); the trials that pass the last one run to `epochs`. */
  readonly rungs: readonly number[];
  readonly eta: number;
  readonly epochs: number;
}

/**
 * Checks the scheduler against the trials' configs: every trial trains for the same number of
 * epochs, no rung lies beyond it, and a checkpoint is written at every rung (a trial continues
 * from the checkpoint of its rung). A rung equal to `train.epochs` is the end of training, not a
 * decision.
 */
export function checkAsha(
  file: string,
  s: SchedulerSection,
  goal: SweepMetric['goal'],
  sweepMetric: string,
  trials: readonly { train: { epochs: number; checkpointEvery: number } }[],
): Asha {
  const epochs = new Set(trials.map((t) => t.train.epochs));
  if (epochs.size > 1)
    throw new ConfigError(
      `${file}: scheduler: the trials train for different epochs (${[...epochs].join(', ')}); ASHA compares them at the same epochs, so sweep train.epochs only without a scheduler`,
    );
  const total = [...epochs][0]!;
  const every = Math.max(...trials.map((t) => t.train.checkpointEvery));
  const problems: string[] = [];
  for (const r of s.rungs) {
    if (r > total) problems.push(`${file}: scheduler.rungs: ${r} is beyond train.epochs (${total})`);
    else if (r < total && r % every !== 0)
      problems.push(`${file}: scheduler.rungs: ${r} is not a multiple of train.checkpointEvery (${every}); a trial continues from the checkpoint of its rung`);
  }
  const metric = s.metric ?? sweepMetric.replace(/^final\//, 'test/');
  if (metric.startsWith('final/'))
    problems.push(`${file}: scheduler.metric: ${metric} is recorded once, at the end; compare the rungs by a metric of every epoch (test/… or train/…)`);
  if (problems.length) throw ConfigError.of(problems);
  return { metric: { name: metric, goal }, rungs: s.rungs.filter((r) => r < total), eta: s.eta, epochs: total };
}

/** The last epoch a run folder's metric history has reached (0 when it has none). */
export function epochReached(runDir: string | undefined): number {
  if (!runDir || !existsSync(join(runDir, RunFiles.config))) return 0;
  let reached = 0;
  try {
    for (const p of readMetrics(runDir)) if (p.key.startsWith('train/') && p.step > reached) reached = p.step;
  } catch {
    return 0;
  }
  return reached;
}

/** The value of `key` the run recorded at epoch `epoch`, or undefined. */
export function metricAt(runDir: string, key: string, epoch: number): number | undefined {
  let value: number | undefined;
  try {
    for (const p of readMetrics(runDir)) if (p.key === key && p.step === epoch) value = p.value;
  } catch {
    return undefined;
  }
  return value;
}

/** A trial as a rung sees it. */
export interface RungEntry {
  readonly hash: string;
  readonly index: number;
  /** Its metric at the rung; undefined (or not finite) never continues. */
  readonly value: number | undefined;
}

/**
 * Successive halving at one rung: the best ⌊n/eta⌋ of the n trials that reached it continue (at
 * least one), ranked by the metric (ties: trial order). Returns their hashes.
 */
export function promote(entries: readonly RungEntry[], eta: number, goal: SweepMetric['goal']): Set<string> {
  const sign = goal === 'minimize' ? 1 : -1;
  const ranked = entries.filter((e) => e.value !== undefined && Number.isFinite(e.value)).sort((a, b) => sign * (a.value! - b.value!) || a.index - b.index);
  const keep = Math.max(1, Math.floor(entries.length / eta));
  return new Set(ranked.slice(0, keep).map((e) => e.hash));
}

/** The `elbo` arguments that take a trial to `epoch`: a new run or a resumed one, stopping there unless it is the end. */
export async function stageArgs(configFile: string, runDir: string | undefined, epoch: number, epochs: number): Promise<string[]> {
  const until = epoch < epochs ? ['--until-epoch', String(epoch)] : [];
  if (runDir && (await hasCheckpoint(join(runDir, RunFiles.checkpoint)))) return ['train', '--resume', runDir, ...until];
  return ['train', configFile, ...until];
}
