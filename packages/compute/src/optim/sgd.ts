import * as tf from '@tensorflow/tfjs-core';
import { SlotOptimizer } from './optimizer.js';

export interface SgdOptions {
  readonly lr: number;
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly clipNorm: number | null;
}

/**
 * Stochastic gradient descent with heavy-ball momentum in the form PyTorch's `SGD` uses
 * (Sutskever et al. 2013 for Nesterov): b ← μ b + g; θ ← θ − lr·b, or with Nesterov
 * θ ← θ − lr·(g + μ b). μ = 0 is plain SGD.
 */
export class Sgd extends SlotOptimizer {
  constructor(
    params: ReadonlyMap<string, tf.Variable>,
    readonly options: SgdOptions,
  ) {
    super(params, options.momentum > 0 ? ['momentum'] : [], options.clipNorm);
  }

  protected update(grads: ReadonlyMap<string, tf.Tensor>, scale: tf.Scalar | undefined): void {
    const { lr, momentum, nesterov } = this.options;
    this.eachGradient(grads, scale, (name, p, g) => {
      let direction: tf.Tensor = g;
      if (momentum > 0) {
        const b = this.slot('momentum', name);
        const bNew = tf.add(tf.mul(b, momentum), g);
        b.assign(bNew);
        direction = nesterov ? tf.add(g, tf.mul(bNew, momentum)) : bNew;
      }
      p.assign(tf.sub(p, tf.mul(direction, lr)));
    });
  }
}

export interface RmspropOptions {
  readonly lr: number;
  readonly rho: number;
  readonly epsilon: number;
  readonly clipNorm: number | null;
}

/**
 * RMSprop (Tieleman & Hinton 2012, lecture 6.5) as PyTorch's `RMSprop` computes it, without
 * momentum or centring: s ← ρ s + (1−ρ) g²; θ ← θ − lr · g / (√s + ε).
 */
export class Rmsprop extends SlotOptimizer {
  constructor(
    params: ReadonlyMap<string, tf.Variable>,
    readonly options: RmspropOptions,
  ) {
    super(params, ['ms'], options.clipNorm);
  }

  protected update(grads: ReadonlyMap<string, tf.Tensor>, scale: tf.Scalar | undefined): void {
    const { lr, rho, epsilon } = this.options;
    this.eachGradient(grads, scale, (name, p, g) => {
      const s = this.slot('ms', name);
      const sNew = tf.add(tf.mul(s, rho), tf.mul(tf.square(g), 1 - rho));
      s.assign(sNew);
      p.assign(tf.sub(p, tf.mul(tf.div(g, tf.add(tf.sqrt(sNew), epsilon)), lr)));
    });
  }
}
