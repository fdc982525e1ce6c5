import * as tf from '@tensorflow/tfjs-core';
import { compiledStepsProblem } from './native-binding.js';
import { StepCompiler, type CompileMode, type CompilerLog } from './step-compiler.js';

/** `train.compile` as a config writes it. */
export type CompileSetting = 'auto' | 'off' | CompileMode;

/**
 * The compiler a training loop runs its steps through, or undefined for eager steps: `off`, or no
 * native backend with ELBO's binding (said once in the log when `graph` or `xla` was asked for).
 * `auto` compiles with Grappler's graph optimisations where the native backend allows it.
 */
export function stepCompiler(setting: CompileSetting, log: CompilerLog = () => {}): StepCompiler | undefined {
  if (setting === 'off') return undefined;
  const problem = compiledStepsProblem();
  if (problem) {
    if (setting !== 'auto') log(`train.compile: ${setting} — steps run eagerly: ${problem}`);
    return undefined;
  }
  const mode: CompileMode = setting === 'auto' ? 'graph' : setting;
  return StepCompiler.create(mode, log);
}

/** Runs a step's TensorFlow.js calls inside `tf.tidy`, as a compiled function where allowed. */
export type TidyStep = <T extends tf.TensorContainer>(fn: () => T) => T;

/** One compiler per owner (a training loop, a model's evaluation), so its traces serve every call. */
const compilers = new WeakMap<object, StepCompiler | null>();

/**
 * `tf.tidy` for the steps of `owner`: compiled per `setting` with the owner's compiler (created on
 * first use), or plain `tf.tidy` when steps run eagerly.
 */
export function tidyStep(owner: object, setting: CompileSetting, log?: CompilerLog): TidyStep {
  if (!compilers.has(owner)) compilers.set(owner, stepCompiler(setting, log) ?? null);
  const c = compilers.get(owner);
  return c ? (fn) => c.run(() => tf.tidy(fn)) : (fn) => tf.tidy(fn);
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
