import * as tf from '@tensorflow/tfjs-core';
import { fileURLToPath } from 'node:url';
import { compilerOf, disposeTidyStep, tidyStep, type CompileMode } from '@elbo/compute';
import { runCommand, tail } from './tfjs-node-package.js';
import { probeVae, type ProbeSizes } from './training-probe.js';

/** How a training step can run: eagerly (`off`) or as a compiled function (`train.compile`). */
export type StepMode = 'off' | CompileMode;
export const STEP_MODES: readonly StepMode[] = ['off', 'graph', 'xla'];

/** The bench's reference model: a 784-400-20 MLP VAE, batch 128, Adam. */
export const REFERENCE_SIZES: ProbeSizes = { D: 784, H: 400, LATENT: 20, BATCH: 128 };

/** The same numbers: a compiled mode's mean loss over its first steps against the eager steps' (relative). */
export const MODE_TOLERANCE = 1e-5;

export interface ModeMeasurement {
  readonly mode: StepMode;
  /** Median over the rounds. */
  readonly samplesPerSecond: number;
  /** Milliseconds of the first steps: recording, building and compiling the function, and running them. */
  readonly firstMs: number;
  /** The loss of each of the first steps (from the same weights, data and noise in every mode). */
  readonly firstLosses: number[];
  /** Steps that ran as a compiled function (0 for `off`, or when the mode fell back to eager steps). */
  readonly compiledSteps: number;
}

export interface ModeChoice {
  /** What `train.compile: auto` runs here: the fastest mode whose numbers agree with eager steps. */
  readonly auto: StepMode;
  readonly measured: readonly (ModeMeasurement & { lossRel: number; agrees: boolean })[];
  readonly detail: string;
}

const FIRST = 3;

/** The run `auto` is chosen for: the main job's 2,400 steps (30 epochs of 80), so a mode's compile time counts. */
export const PROJECTED_STEPS = 2400;

/**
 * The modes `auto` chooses from. XLA is measured and reported but runs only when asked for
 * (`train.compile: xla`): its compile time is paid for every trace of a run (each model's step,
 * the evaluation batches, an epoch's last batch), 1.8 s for the reference MLP's step but about 30 s
 * for a β-TCVAE's (apps/runner/test/divergences-training.spec.ts: 138 s with XLA, 7 s as graph
 * functions, 2026-12-04), which no measurement on one model can foresee.
 */
export const AUTO_MODES: readonly StepMode[] = ['off', 'graph'];

/**
 * Trains the reference model in each mode from the same start, on the active (native) backend: the
 * first steps' losses, then `rounds` rounds of `steps` steps, the modes interleaved round by round so
 * that a change in the machine's load falls on every mode alike; samples/s is the median round.
 */
export function measureModes(modes: readonly StepMode[], options: { rounds?: number; steps?: number; sizes?: ProbeSizes } = {}): ModeMeasurement[] {
  const { rounds = 5, steps = 20, sizes = REFERENCE_SIZES } = options;
  const runs = modes.map((mode) => {
    const vae = probeVae(sizes, 4, `${mode}/`);
    const owner = {};
    return { mode, vae, owner, step: tidyStep(owner, mode), times: [] as number[], first: [] as tf.Scalar[], firstMs: 0, s: 0 };
  });
  try {
    for (const r of runs) {
      const started = performance.now();
      for (let i = 0; i < FIRST; i++) r.first.push(r.step(() => r.vae.step(r.s++)));
      r.first.at(-1)!.dataSync();
      r.firstMs = performance.now() - started;
    }
    for (let round = 0; round < rounds; round++)
      for (const r of runs) {
        const started = performance.now();
        for (let i = 0; i < steps; i++) r.step(() => r.vae.step(r.s++)).dispose();
        r.vae.params.get(`${r.mode}/dec/out/bias`)!.dataSync(); // the round's work is done
        r.times.push(performance.now() - started);
      }
    return runs.map((r) => {
      const sorted = [...r.times].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)]!;
      const firstLosses = r.first.map((t) => t.dataSync()[0]!);
      return { mode: r.mode, samplesPerSecond: (steps * sizes.BATCH) / (median / 1000), firstMs: r.firstMs, firstLosses, compiledSteps: compilerOf(r.owner)?.stats.compiled ?? 0 };
    });
  } finally {
    for (const r of runs) {
      tf.dispose(r.first);
      disposeTidyStep(r.owner);
      r.vae.dispose();
    }
  }
}

/**
 * Picks `auto`: among AUTO_MODES whose first losses' mean is within MODE_TOLERANCE of eager steps'
 * (eager always qualifies), the one that would train PROJECTED_STEPS steps soonest (its first
 * steps, compile included, then the rest at its measured speed).
 */
export function chooseMode(measured: readonly ModeMeasurement[], batch = REFERENCE_SIZES.BATCH): ModeChoice {
  const eager = measured.find((m) => m.mode === 'off');
  if (!eager) throw new Error('the eager steps (mode off) are the reference and must be measured');
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const ref = mean(eager.firstLosses);
  const rows = measured.map((m) => {
    const lossRel = Math.abs(mean(m.firstLosses) - ref) / Math.abs(ref);
    const projectedS = m.firstMs / 1000 + ((PROJECTED_STEPS - FIRST) * batch) / m.samplesPerSecond;
    return { ...m, lossRel, projectedS, agrees: lossRel <= MODE_TOLERANCE && (m.mode === 'off' || m.compiledSteps > 0) };
  });
  const auto = rows.filter((r) => r.agrees && AUTO_MODES.includes(r.mode)).sort((a, b) => a.projectedS - b.projectedS)[0]!.mode;
  const fmt = (r: (typeof rows)[number]) =>
    `${r.mode === 'off' ? 'eager' : r.mode} ${Math.round(r.samplesPerSecond).toLocaleString('en')} (first steps ${(r.firstMs / 1000).toFixed(1)} s` +
    (r.mode === 'off'
      ? ''
      : r.agrees
        ? r.lossRel === 0
          ? ', same loss'
          : `, loss within ${r.lossRel.toExponential(0)}`
        : r.compiledSteps
          ? `, loss off by ${r.lossRel.toExponential(1)}: not used`
          : ', fell back to eager steps: not used') +
    (r.mode === 'xla' ? '; only when asked for' : '') +
    ')';
  return {
    auto,
    measured: rows,
    detail: `auto = ${auto === 'off' ? 'eager' : auto}; reference MLP samples/s: ${rows.map(fmt).join(', ')}; projected over ${PROJECTED_STEPS.toLocaleString('en')} steps`,
  };
}

/** Measures the modes in a fresh process on the native backend (as `elbo train` runs), and chooses `auto`. */
export async function measureStepModes(cwd: string, modes: readonly StepMode[] = STEP_MODES): Promise<{ ok: true; choice: ModeChoice } | { ok: false; detail: string }> {
  const child = fileURLToPath(new URL('./step-modes-child.ts', import.meta.url));
  const r = await runCommand(process.execPath, ['--import', 'tsx', child, ...modes], {
    cwd,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: process.env['TF_CPP_MIN_LOG_LEVEL'] ?? '2' },
  });
  const line = r.output.split('\n').find((l) => l.startsWith('{"measured"'));
  if (r.code !== 0 || !line) return { ok: false, detail: `the measuring process exited with ${r.code}:\n${tail(r.output)}` };
  return { ok: true, choice: chooseMode((JSON.parse(line) as { measured: ModeMeasurement[] }).measured) };
}
