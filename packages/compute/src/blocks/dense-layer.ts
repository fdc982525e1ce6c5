import * as tf from '@tensorflow/tfjs-core';
import type { Activation } from '../layers/activation.js';
import { dense } from '../layers/dense.js';

/** Where a block creates its trainable variables (core's ParameterStore is one). */
export interface VariableFactory {
  create(name: string, initial: tf.Tensor): tf.Variable;
}

/** Where a block draws the seeds of its initial weights (a seeded stream of core's Rng is one). */
export interface SeedSource {
  nextSeed(): number;
}

/**
 * A fully connected layer y = act(x·W + b) whose variables live in a ParameterStore. The product
 * and its gradients go through compute's `dense`, which keeps the backward pass on non-transposed
 * matrix multiplies (the fast path of the WASM backend). Glorot-uniform weights, zero bias.
 */
export class DenseLayer {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;

  constructor(
    store: VariableFactory,
    name: string,
    readonly inDim: number,
    readonly outDim: number,
    readonly activation: Activation,
    init: SeedSource,
  ) {
    const limit = Math.sqrt(6 / (inDim + outDim));
    this.kernel = store.create(`${name}/kernel`, tf.randomUniform([inDim, outDim], -limit, limit, 'float32', init.nextSeed()));
    this.bias = store.create(`${name}/bias`, tf.zeros([outDim]));
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    return dense(x, this.kernel as tf.Tensor2D, this.bias as tf.Tensor1D, this.activation);
  }
}

/** A stack of dense layers with one activation, e.g. 784 → 400 → 400. */
export class Mlp {
  readonly layers: DenseLayer[];

  constructor(store: VariableFactory, inDim: number, hidden: readonly number[], activation: Activation, init: SeedSource) {
    let d = inDim;
    this.layers = hidden.map((h, i) => {
      const layer = new DenseLayer(store, `hidden${i}`, d, h, activation, init);
      d = h;
      return layer;
    });
  }

  get outDim(): number {
    return this.layers.length ? this.layers[this.layers.length - 1]!.outDim : -1;
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.layers.reduce((h, l) => l.apply(h), x));
  }
}

/** Splits [batch, k·D] into k named [batch, D] tensors, in order. */
export function splitParams(out: tf.Tensor2D, names: readonly string[]): Record<string, tf.Tensor2D> {
  if (names.length === 1) return { [names[0]!]: out };
  const parts = tf.split(out, names.length, 1) as tf.Tensor2D[];
  return Object.fromEntries(names.map((n, i) => [n, parts[i]!]));
}
