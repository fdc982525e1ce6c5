import * as tf from '@tensorflow/tfjs-core';
import { stepEffect } from '../compiled/host-inputs.js';

/**
 * An optimiser over a fixed set of named parameters. Its state (moments, step count) is keyed by
 * ELBO's stable parameter names, so it round-trips through checkpoints exactly.
 */
export interface Optimizer {
  readonly iterations: number;
  /**
   * Applies one update. `grads` maps parameter names to gradients; they are disposed here. Returns
   * the global gradient norm (a scalar tensor the caller owns) when clipping is on.
   */
  apply(grads: ReadonlyMap<string, tf.Tensor>): tf.Scalar | undefined;
  /** Step count and state tensors (`<slot>/<param>`, e.g. `m/encoder/hidden0/kernel`). */
  state(): { iterations: number; tensors: Map<string, tf.Tensor> };
  restore(iterations: number, tensors: ReadonlyMap<string, tf.Tensor>): void;
  dispose(): void;
}
/** What an `optimizer/<name>` component creates: an optimiser for a given set of parameters. */
export type OptimizerFactory = (params: ReadonlyMap<string, tf.Variable>) => Optimizer;

/**
 * State slots shared by the optimisers: one zero-initialised, non-trainable variable per parameter
 * and slot name, saved as `<slot>/<param>`.
 */
export abstract class SlotOptimizer implements Optimizer {
  protected t = 0;
  protected readonly slots = new Map<string, Map<string, tf.Variable>>();

  constructor(
    protected readonly params: ReadonlyMap<string, tf.Variable>,
    slotNames: readonly string[],
    protected readonly clipNorm: number | null,
  ) {
    for (const slot of slotNames) {
      const m = new Map<string, tf.Variable>();
      for (const [name, p] of params)
        m.set(
          name,
          tf.tidy(() => tf.variable(tf.zerosLike(p), false)),
        );
      this.slots.set(slot, m);
    }
  }

  get iterations(): number {
    return this.t;
  }

  protected slot(slot: string, name: string): tf.Variable {
    return this.slots.get(slot)!.get(name)!;
  }

  apply(grads: ReadonlyMap<string, tf.Tensor>): tf.Scalar | undefined {
    stepEffect(() => (this.t += 1));
    let norm: tf.Scalar | undefined;
    tf.tidy(() => {
      let scale: tf.Scalar | undefined;
      if (this.clipNorm !== null) {
        const sq = [...grads.values()].map((g) => tf.sum(tf.square(g)));
        norm = tf.keep(tf.sqrt(tf.addN(sq)) as tf.Scalar);
        // scale = min(1, clip / norm), computed on the device (no host sync).
        scale = tf.minimum(1, tf.div(this.clipNorm, tf.maximum(norm, 1e-12))) as tf.Scalar;
      }
      this.update(grads, scale);
    });
    for (const g of grads.values()) g.dispose();
    return norm;
  }

  /** Calls `fn` with each parameter that has a gradient and that gradient, clipped by `scale` when given. */
  protected eachGradient(grads: ReadonlyMap<string, tf.Tensor>, scale: tf.Scalar | undefined, fn: (name: string, p: tf.Variable, g: tf.Tensor) => void): void {
    for (const [name, g] of grads) {
      const p = this.params.get(name);
      if (p) fn(name, p, scale ? tf.mul(g, scale) : g);
    }
  }

  /** The update of step `this.t`, inside a tidy; `scale` (when clipping) multiplies every gradient. */
  protected abstract update(grads: ReadonlyMap<string, tf.Tensor>, scale: tf.Scalar | undefined): void;

  state(): { iterations: number; tensors: Map<string, tf.Tensor> } {
    const tensors = new Map<string, tf.Tensor>();
    for (const [slot, m] of this.slots) for (const [k, t] of m) tensors.set(`${slot}/${k}`, t);
    return { iterations: this.t, tensors };
  }

  restore(iterations: number, tensors: ReadonlyMap<string, tf.Tensor>): void {
    this.t = iterations;
    for (const [slot, m] of this.slots)
      for (const [k, t] of m) {
        const s = tensors.get(`${slot}/${k}`);
        if (s) t.assign(s);
      }
  }

  dispose(): void {
    for (const m of this.slots.values()) for (const t of m.values()) t.dispose();
  }
}
