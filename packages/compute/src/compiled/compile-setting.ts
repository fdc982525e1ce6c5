import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { compiledStepsProblem } from './native-binding.js';
import type { StepPlan } from './host-inputs.js';
import { StepCompiler, type CompileMode, type CompilerLog } from './step-compiler.js';

/** `train.compile` as a config writes it. */
export type CompileSetting = 'auto' | 'off' | CompileMode;

/** What `auto` means on this machine: `elbo backend native`'s measurement, or graph when there is none. */
export interface AutoMode {
  readonly mode: CompileMode | 'off';
  /** Where the choice comes from, for the log and `elbo doctor`. */
  readonly because: string;
}

let autoModeCache: AutoMode | undefined;

/**
 * `train.compile: auto` on this machine: eager or graph steps, whichever `elbo backend native`
 * measured faster on the reference MLP among those that compute the eager numbers (XLA only when
 * asked for), as recorded beside the binding (tfjs-node's deps/elbo-native.json,
 * `compiledSteps.auto`); graph when nothing was measured.
 */
export function autoMode(): AutoMode {
  if (autoModeCache) return autoModeCache;
  let record: { compiledSteps?: { auto?: string; modes?: string } } | undefined;
  try {
    const pkg = createRequire(import.meta.url).resolve('@tensorflow/tfjs-node/package.json');
    record = JSON.parse(readFileSync(join(dirname(pkg), 'deps', 'elbo-native.json'), 'utf8')) as typeof record;
  } catch {
    record = undefined;
  }
  const auto = record?.compiledSteps?.auto;
  autoModeCache =
    auto === 'graph' || auto === 'xla' || auto === 'off'
      ? { mode: auto, because: `measured by elbo backend native: ${record?.compiledSteps?.modes ?? auto}` }
      : { mode: 'graph', because: 'no measurement recorded by elbo backend native: graph' };
  return autoModeCache;
}

/**
 * The compiler a training loop runs its steps through, or undefined for eager steps: `off`, or no
 * native backend with ELBO's binding (said once in the log when `graph` or `xla` was asked for).
 * `auto` runs the mode `autoMode()` gives.
 */
export function stepCompiler(setting: CompileSetting, log: CompilerLog = () => {}, queued = true): StepCompiler | undefined {
  if (setting === 'off') return undefined;
  const problem = compiledStepsProblem();
  if (problem) {
    if (setting !== 'auto') log(`train.compile: ${setting} — steps run eagerly: ${problem}`);
    return undefined;
  }
  const mode = setting === 'auto' ? autoMode().mode : setting;
  return mode === 'off' ? undefined : StepCompiler.create(mode, log, queued);
}

/**
 * Runs a step's TensorFlow.js calls inside `tf.tidy`, as a compiled function where allowed; with a
 * plan, later steps may run without their code (StepCompiler.run).
 */
export type TidyStep = <T extends tf.TensorContainer>(fn: () => T, plan?: StepPlan) => T;

/** One compiler per owner (a training loop, a model's evaluation), so its traces serve every call. */
const compilers = new WeakMap<object, StepCompiler | null>();

/**
 * `tf.tidy` for the steps of `owner`: compiled per `setting` with the owner's compiler (created on
 * first use), or plain `tf.tidy` when steps run eagerly.
 */
export function tidyStep(owner: object, setting: CompileSetting, log?: CompilerLog, queued = true): TidyStep {
  if (!compilers.has(owner)) compilers.set(owner, stepCompiler(setting, log, queued) ?? null);
  const c = compilers.get(owner);
  return c ? (fn, plan) => c.run(() => tf.tidy(fn), plan) : (fn) => tf.tidy(fn);
}

/** The compiler `owner`'s steps run through, if any (its `stats` say where their time went). */
export function compilerOf(owner: object): StepCompiler | undefined {
  return compilers.get(owner) ?? undefined;
}

/** Drops `owner`'s compiled functions. */
export function disposeTidyStep(owner: object): void {
  compilers.get(owner)?.dispose();
  compilers.delete(owner);
}
