import * as tf from '@tensorflow/tfjs-core';
import { hostTensor } from '../compiled/host-inputs.js';
import { layerGradients } from '../layers/layer-gradients.js';
import { adamUpdate, hasFusedAdam } from './adam-kernel.js';
import { SlotOptimizer } from './optimizer.js';

export interface AdamOptions {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Clip the global gradient norm to this value (null: no clipping). */
  readonly clipNorm: number | null;
  /** Decoupled weight decay λ (AdamW); 0: plain Adam. */
  readonly weightDecay?: number;
}

/**
 * Adam (Kingma & Ba 2015, Algorithm 1) with bias correction folded into the step size:
 *   m ← β1 m + (1−β1) g,  v ← β2 v + (1−β2) g²,
 *   θ ← θ − lr·√(1−β2ᵗ)/(1−β1ᵗ) · m / (√v + ε̂),  ε̂ = ε·√(1−β2ᵗ)
 * which equals the paper's update with ε added to √v̂. With `weightDecay` λ > 0 it is AdamW
 * (Loshchilov & Hutter 2019, Algorithm 2, schedule multiplier 1): θ ← θ − lr·λ·θ before the Adam
 * step, decoupled from the gradient. One fused kernel per parameter on WASM and CPU, one TensorFlow
 * function per parameter on the native backend (compiled/native-kernels.ts).
 */
export class Adam extends SlotOptimizer {
  constructor(
    params: ReadonlyMap<string, tf.Variable>,
    readonly options: AdamOptions,
  ) {
    super(params, ['m', 'v'], options.clipNorm);
  }

  protected update(grads: ReadonlyMap<string, tf.Tensor>, scale: tf.Scalar | undefined): void {
    const { lr, beta1, beta2, weightDecay = 0 } = this.options;
    const { stepSize, epsHat } = this.corrected();
    // ELBO's fused kernel where it exists (WASM, CPU), unless the unoptimised path is asked for. On
    // the native backend it is one TensorFlow function of the composed ops below (the same numbers),
    // whose step size and ε̂ come as a tensor a compiled step can make again without this code.
    const native = tf.getBackend() === 'tensorflow';
    const fused = hasFusedAdam() && (layerGradients() === 'custom' || native);
    const hyper = fused && native ? hostTensor(() => tf.tensor1d(this.hyper())) : undefined;
    for (const [name, g0] of grads) {
      const p = this.params.get(name);
      if (!p) continue;
      const m = this.slot('m', name);
      const v = this.slot('v', name);
      if (weightDecay > 0) p.assign(tf.mul(p, 1 - lr * weightDecay));
      if (fused) {
        const [pNew, mNew, vNew] = adamUpdate(p, m, v, g0, scale, { beta1, beta2, stepSize, epsHat }, hyper);
        m.assign(mNew);
        v.assign(vNew);
        p.assign(pNew);
        continue;
      }
      const g = scale ? tf.mul(g0, scale) : g0;
      const mNew = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
      const vNew = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
      m.assign(mNew);
      v.assign(vNew);
      p.assign(tf.sub(p, tf.mul(tf.div(mNew, tf.add(tf.sqrt(vNew), epsHat)), stepSize)));
    }
  }

  /** Step size and ε̂ of step `this.t` (the bias correction). */
  private corrected(): { stepSize: number; epsHat: number } {
    const { lr, beta1, beta2, epsilon } = this.options;
    const c2 = 1 - Math.pow(beta2, this.t);
    return { stepSize: (lr * Math.sqrt(c2)) / (1 - Math.pow(beta1, this.t)), epsHat: epsilon * Math.sqrt(c2) };
  }

  /** [β1, 1−β1, β2, 1−β2, ε̂, step size] of step `this.t`, as the native kernel takes them. */
  private hyper(): Float32Array {
    const { beta1, beta2 } = this.options;
    const { stepSize, epsHat } = this.corrected();
    return Float32Array.of(beta1, 1 - beta1, beta2, 1 - beta2, epsHat, stepSize);
  }
}
