import * as tf from '@tensorflow/tfjs-core';
import type { Optimizer, OptimizerFactory } from '@elbo/compute';
import { ParameterStore, type RandomStream } from '@elbo/core';
import { checkTensorSize, dense, initDense } from '@elbo/compute';

export interface DiscriminatorSettings {
  /** Widths of the hidden layers (Kim & Mnih 2018: six of 1000). */
  readonly hidden: readonly number[];
  /** Negative slope of the LeakyReLU after every hidden layer (Kim & Mnih: 0.2). */
  readonly leak: number;
  /** Its own optimiser (Kim & Mnih: Adam with lr 1e-4, β1 0.5, β2 0.9). */
  readonly optimizer: OptimizerFactory;
}

interface Layer {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
}

/**
 * FactorVAE's discriminator: an MLP z → one logit ℓ(z) = log D(z) / (1 − D(z)), where D(z) is the
 * probability that z is a code drawn from q(z) rather than from Π_d q(z_d) (codes with each
 * dimension permuted across the batch). Kim & Mnih's network has two softmax outputs; one logit is
 * the same model (ℓ is the difference of their two logits). Glorot-uniform weights, zero biases.
 *
 * Its variables live in a store of their own and are updated only by `train`, with an optimiser of
 * its own — never by the model optimiser. `state()` and `restore()` carry the weights, the optimiser's
 * state and its step count through checkpoints.
 */
export class Discriminator {
  private readonly store: ParameterStore;
  private readonly layers: Layer[] = [];
  private readonly adam: Optimizer;
  /** The optimiser's step count as a tensor, refreshed only when a checkpoint asks for the state. */
  private readonly iterations: tf.Variable;

  constructor(
    inDim: number,
    readonly settings: DiscriminatorSettings,
    init: RandomStream,
    prefix = 'discriminator',
  ) {
    this.store = new ParameterStore(prefix);
    let d = inDim;
    const widths = [...settings.hidden, 1];
    widths.forEach((w, i) => {
      const name = i < settings.hidden.length ? `hidden${i}` : 'logit';
      checkTensorSize(`model.divergence.discriminator.hidden: ${prefix}/${name}/kernel`, [d, w]);
      const { kernel, bias } = initDense(d, w, init.nextSeed());
      this.layers.push({ kernel: this.store.create(`${name}/kernel`, kernel), bias: this.store.create(`${name}/bias`, bias) });
      d = w;
    });
    this.adam = settings.optimizer(this.store.parameters());
    this.iterations = tf.tidy(() => tf.variable(tf.scalar(0), false));
  }

  /** The discriminator's variables (not the model's: the model optimiser never sees them). */
  parameters(): ReadonlyMap<string, tf.Variable> {
    return this.store.parameters();
  }

  /** ℓ(z) = log D(z)/(1 − D(z)) per code, shape [batch]. */
  logits(z: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      let h = z;
      const last = this.layers.length - 1;
      this.layers.forEach((l, i) => {
        const a = dense(h, l.kernel as tf.Tensor2D, l.bias as tf.Tensor1D);
        h = i < last ? tf.leakyRelu(a, this.settings.leak) : a;
      });
      return tf.reshape(h, [z.shape[0]]) as tf.Tensor1D;
    });
  }

  /**
   * One optimiser step on the binary cross-entropy of `real` codes (label 1) against `permuted` codes
   * (label 0), each half weighted ½: −½ [mean log D(real) + mean log(1 − D(permuted))]. Returns the
   * loss before the step and the accuracy (threshold ½) on the two halves, as scalars the caller owns.
   */
  train(real: tf.Tensor2D, permuted: tf.Tensor2D): { loss: tf.Scalar; accuracy: tf.Scalar } {
    const params = [...this.store.parameters()];
    const nameOf = new Map(params.map(([k, v]) => [v.name, k]));
    let kept: tf.Scalar | undefined;
    const { value, grads } = tf.variableGrads(
      () => {
        const lr = this.logits(real);
        const lp = this.logits(permuted);
        const right = tf.add(tf.mean(tf.cast(tf.greater(lr, 0), 'float32')), tf.mean(tf.cast(tf.lessEqual(lp, 0), 'float32')));
        kept = tf.keep(tf.mul(right, 0.5) as tf.Scalar);
        return tf.mul(tf.add(tf.mean(tf.softplus(tf.neg(lr))), tf.mean(tf.softplus(lp))), 0.5) as tf.Scalar;
      },
      params.map(([, v]) => v),
    );
    const named = new Map<string, tf.Tensor>();
    for (const [vn, g] of Object.entries(grads)) named.set(nameOf.get(vn)!, g);
    this.adam.apply(named);
    // Hand back an ordinary (tracked) tensor rather than a kept one.
    const accuracy = kept!.clone();
    kept!.dispose();
    return { loss: value, accuracy };
  }

  /** Weights (`<prefix>/<layer>/kernel|bias`), the optimiser's state (`adam/m/…`, `adam/v/…` for Adam) and `adam/iterations`. */
  state(): Map<string, tf.Tensor> {
    tf.tidy(() => this.iterations.assign(tf.scalar(this.adam.iterations)));
    const out = new Map<string, tf.Tensor>(this.store.parameters());
    for (const [k, t] of this.adam.state().tensors) out.set(`adam/${k}`, t);
    out.set('adam/iterations', this.iterations);
    return out;
  }

  /** Restores what `state()` produced (read back once, at resume). */
  restore(state: ReadonlyMap<string, tf.Tensor>): void {
    for (const [k, v] of this.store.parameters()) {
      const t = state.get(k);
      if (!t) throw new Error(`checkpoint has no discriminator tensor "${k}" (was model.divergence.discriminator changed?)`);
      v.assign(t);
    }
    const moments = new Map<string, tf.Tensor>();
    for (const [k, t] of state) if (k.startsWith('adam/') && k !== 'adam/iterations') moments.set(k.slice('adam/'.length), t);
    const it = state.get('adam/iterations');
    this.adam.restore(it ? Math.round(it.dataSync()[0]!) : 0, moments);
  }

  dispose(): void {
    this.adam.dispose();
    this.store.dispose();
    this.iterations.dispose();
  }
}
