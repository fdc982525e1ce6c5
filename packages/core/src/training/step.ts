import * as tf from '@tensorflow/tfjs-core';
import type { ConditionInput, DivergenceContext } from '../model/interfaces.js';
import type { VaeModel } from '../model/vae-model.js';

/**
 * The objective of one batch on the gradient tape: the loss, its gradients by ELBO's parameter
 * names, and the named loss parts (kept out of the tape's scope; the caller disposes them, usually
 * through `accumulate`). Call inside a tf.tidy.
 */
export function lossAndGradients(
  model: VaeModel,
  x: tf.Tensor2D,
  cond: ConditionInput | undefined,
  ctx: Omit<DivergenceContext, 'condition'>,
  vars: tf.Variable[],
  nameOf: ReadonlyMap<string, string>,
): { value: tf.Scalar; grads: Map<string, tf.Tensor>; parts: Record<string, tf.Scalar> } {
  let parts: Record<string, tf.Scalar> = {};
  const { value, grads } = tf.variableGrads(() => {
    const o = model.objective(x, cond, ctx);
    parts = Object.fromEntries(Object.entries(o.parts).map(([k, v]) => [k, tf.keep(v)]));
    return o.loss;
  }, vars);
  const named = new Map<string, tf.Tensor>();
  for (const [vn, g] of Object.entries(grads)) named.set(nameOf.get(vn)!, g);
  return { value, grads: named, parts };
}

/**
 * Adds one step's row — the loss, then the parts in the order of `keys` (fixed by the first
 * step; a part missing later counts as NaN) — to the running sums on the device, and releases the
 * parts. Call inside a tf.tidy; returns the new sums and the keys.
 */
export function accumulate(acc: tf.Tensor | undefined, keys: string[] | undefined, value: tf.Scalar, parts: Record<string, tf.Scalar>): { sums: tf.Tensor; keys: string[] } {
  const k = keys ?? ['loss', ...Object.keys(parts)];
  const row = tf.stack([value, ...k.slice(1).map((name) => parts[name] ?? tf.scalar(NaN))]);
  tf.dispose(Object.values(parts));
  return { sums: acc ? tf.add(acc, row) : row, keys: k };
}
