import * as tf from '@tensorflow/tfjs-core';
import type { Activation } from '../layers/activation.js';
import { dense } from '../layers/dense.js';
import { checkTensorSize } from './tensor-budget.js';

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
    checkTensorSize(`${name}/kernel`, [inDim, outDim]);
    const limit = Math.sqrt(6 / (inDim + outDim));
    this.kernel = store.create(`${name}/kernel`, tf.randomUniform([inDim, outDim], -limit, limit, 'float32', init.nextSeed()));
    this.bias = store.create(`${name}/bias`, tf.zeros([outDim]));
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    return dense(x, this.kernel as tf.Tensor2D, this.bias as tf.Tensor1D, this.activation);
  }
}

/**
 * A side input an Mlp concatenates to its input (a condition c, `dim` wide): to the first layer's
 * input only, or with `everyLayer` to the input of every layer, head included, so deep layers
 * cannot lose it.
 */
export interface SideInput {
  readonly dim: number;
  readonly everyLayer: boolean;
}

/**
 * Dense layers `hidden0`, `hidden1`, … with one activation and a linear `head` of width outDim,
 * e.g. 784 → 400 → 2L: the network of the MLP encoders and decoders and of the learned prior.
 * Variables are created (and their seeds drawn) in that order.
 */
export class Mlp {
  readonly layers: readonly DenseLayer[];

  constructor(
    store: VariableFactory,
    inDim: number,
    hidden: readonly number[],
    outDim: number,
    activation: Activation,
    init: SeedSource,
    readonly side: SideInput = { dim: 0, everyLayer: false },
  ) {
    let d = inDim + side.dim;
    this.layers = [...hidden, outDim].map((h, i) => {
      const last = i === hidden.length;
      const layer = new DenseLayer(store, last ? 'head' : `hidden${i}`, d, h, last ? 'linear' : activation, init);
      d = h + (side.everyLayer ? side.dim : 0);
      return layer;
    });
  }

  /** The linear output layer. */
  get head(): DenseLayer {
    return this.layers[this.layers.length - 1]!;
  }

  /** The head's output for x (and the side input s, when the network has one). */
  apply(x: tf.Tensor2D, s?: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.layers.reduce((h, l, i) => l.apply(s && (i === 0 || this.side.everyLayer) ? (tf.concat([h, s], 1) as tf.Tensor2D) : h), x));
  }
}

/** Splits [batch, k·D] into k named [batch, D] tensors, in order. */
export function splitParams(out: tf.Tensor2D, names: readonly string[]): Record<string, tf.Tensor2D> {
  if (names.length === 1) return { [names[0]!]: out };
  const parts = tf.split(out, names.length, 1) as tf.Tensor2D[];
  return Object.fromEntries(names.map((n, i) => [n, parts[i]!]));
}
