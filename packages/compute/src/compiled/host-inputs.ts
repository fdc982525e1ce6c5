import * as tf from '@tensorflow/tfjs-core';
import { nodeBackend } from './native-binding.js';

/**
 * What a training loop tells a compiled step about the step it is about to run: the seeds it drew
 * for this step (`keys`), from which every random draw of the step derives its own.
 */
export interface StepPlan {
  readonly keys: readonly number[];
  /** The loop's step number, for values that follow a schedule (`stepScalar`). */
  readonly step?: number;
}

/** Makes a host-made tensor of the step again, for the step described by `plan`. */
export type HostMaker = (plan: StepPlan) => tf.Tensor;

/**
 * What a step did on the host, in order: state it changed (an optimiser's step count), tensors it
 * made from host values it can make again, or the reason its host work cannot be repeated without
 * running its code.
 */
export type HostItem = { readonly effect: () => void } | { readonly make: HostMaker; readonly made?: string } | { readonly blocked: string };

interface HostLog {
  readonly plan: StepPlan;
  readonly items: HostItem[];
  /** The item that made each declared tensor, by the values array the backend holds until the tensor is uploaded. */
  readonly byValues: WeakMap<object, number>;
}

let active: HostLog | undefined;

/** Starts logging the host work of a step run with `plan` (by the step compiler). */
export function beginHostLog(plan: StepPlan): HostLog {
  return (active = { plan, items: [], byValues: new WeakMap() });
}

export function endHostLog(): void {
  active = undefined;
}

/**
 * A tensor of host-made values that the step can make again without running the code that made it:
 * `make` is called now, and again for each later step a compiled loop runs without its code. It may
 * read the loop's own state (a batch buffer refilled before every step), never this step's locals —
 * except those described by `made` (e.g. a draw's shape and parameters), which the compiler compares
 * between steps, so that a change stops the steps from running without their code.
 */
export function hostTensor(make: HostMaker, made?: string): tf.Tensor {
  const t = make(active?.plan ?? { keys: [] });
  if (active) {
    const values = nodeBackend()?.tensorMap.get(t.dataId)?.values;
    if (values && typeof values === 'object') active.byValues.set(values, active.items.length);
    active.items.push(made === undefined ? { make } : { make, made });
  }
  return t;
}

/** Host state the step changes (e.g. `t += 1`): run now, and once for each step run without its code. */
export function stepEffect(fn: () => void): void {
  fn();
  active?.items.push({ effect: fn });
}

/** Marks this step's host work as not repeatable without its code (it runs its code every step). */
export function blockReplay(why: string): void {
  active?.items.push({ blocked: why });
}

/** How far a draw's seed may be from one of the step's seeds and still count as derived from it. */
const SEED_OFFSET = 1024;

/**
 * A tensor made on the host from a seed (a random draw, a permutation) that a compiled step can make
 * again: its seed must be one of the step's seeds (`keys`) plus a small offset, as the loop's draws
 * are (`seed`, `seed + 1`…). Else, or unseeded, the step runs its code every step. `made` describes
 * what else `draw` depends on (see `hostTensor`).
 */
export function seededTensor(seed: number | undefined, draw: (seed: number | undefined) => tf.Tensor, made = ''): tf.Tensor {
  if (!active) return draw(seed);
  const keys = active.plan.keys;
  const j = seed === undefined ? -1 : keys.findIndex((k) => Math.abs(seed - k) <= SEED_OFFSET);
  if (j < 0) {
    blockReplay(seed === undefined ? 'an unseeded random draw' : `a random draw whose seed (${seed}) is not derived from the step's seeds`);
    return draw(seed);
  }
  const offset = seed! - keys[j]!;
  return hostTensor((plan) => draw(plan.keys[j]! + offset), `seed ${j}${offset >= 0 ? '+' : ''}${offset} ${made}`);
}

/** `tf.randomNormal` that a compiled training step can repeat without running its code. */
export function randomNormal<R extends tf.Rank>(shape: tf.ShapeMap[R], mean: number, stdDev: number, seed?: number): tf.Tensor<R> {
  return seededTensor(seed, (s) => tf.randomNormal(shape, mean, stdDev, 'float32', s), `normal ${mean} ${stdDev}`) as tf.Tensor<R>;
}

/** `tf.randomUniform` that a compiled training step can repeat without running its code. */
export function randomUniform<R extends tf.Rank>(shape: tf.ShapeMap[R], min: number, max: number, seed?: number): tf.Tensor<R> {
  return seededTensor(seed, (s) => tf.randomUniform(shape, min, max, 'float32', s), `uniform ${min} ${max}`) as tf.Tensor<R>;
}

/**
 * A scalar that follows the step number (a warm-up factor, a capacity schedule), which a compiled
 * step makes again for the next step from the plan's step without running the code that made it.
 * Outside a compiled step with a plan, it reads `ctx.step`.
 */
export function stepScalar(ctx: { readonly step: number }, value: (step: number) => number): tf.Scalar {
  if (active && active.plan.step === undefined) blockReplay('a value of the step number in a step whose plan has none');
  return hostTensor((plan) => tf.scalar(value(plan.step ?? ctx.step))) as tf.Scalar;
}

/**
 * The step context a training loop passes its model: `step` is read through a getter, so a step
 * that reads it runs its code every step (its numbers may follow the step in ways no plan repeats),
 * and one that never does can be repeated without it. Copy it with `withContext`, which does not read it.
 */
export function stepContext<T extends object>(fields: T, step: number): T & { readonly step: number } {
  return Object.defineProperty(fields, 'step', {
    enumerable: true,
    get: () => {
      blockReplay('the step reads ctx.step (a value that follows the step number can be a stepScalar)');
      return step;
    },
  }) as T & { readonly step: number };
}

/** `{ ...ctx, ...extra }` without reading `ctx`'s getters (see `stepContext`). */
export function withContext<T extends object, E extends object>(ctx: T, extra: E): T & E {
  return Object.defineProperties({}, { ...Object.getOwnPropertyDescriptors(ctx), ...Object.getOwnPropertyDescriptors(extra) }) as T & E;
}

export type { HostLog };
