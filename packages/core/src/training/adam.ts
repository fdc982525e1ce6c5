import * as tf from '@tensorflow/tfjs-core';
import { layerGradients, adamUpdate, hasFusedAdam } from '@elbo/compute';

export interface AdamOptions {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Clip the global gradient norm to this value (null: no clipping). */
  readonly clipNorm: number | null;
}

/**
 * Adam (Kingma & Ba 2015, Algorithm 1) with bias correction folded into the step size:
 *   m ← β1 m + (1−β1) g,  v ← β2 v + (1−β2) g²,
 *   θ ← θ − lr·√(1−β2ᵗ)/(1−β1ᵗ) · m / (√v + ε̂),  ε̂ = ε·√(1−β2ᵗ)
 * which equals the paper's update with ε added to √v̂. Owned by core (not tf.train.adam) so its
 * state is keyed by ELBO's stable parameter names and round-trips through checkpoints exactly.
 */
export class Adam {
  private t = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(
    private readonly params: ReadonlyMap<string, tf.Variable>,
    readonly options: AdamOptions,
  ) {
    for (const [name, p] of params) {
      this.m.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
      this.v.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    }
  }

  get iterations(): number {
    return this.t;
  }

  /**
   * Applies one update. `grads` maps parameter names to gradients; they are disposed here.
   * Returns the global gradient norm (a scalar tensor the caller owns) when clipping is on.
   */
  apply(grads: ReadonlyMap<string, tf.Tensor>): tf.Scalar | undefined {
    this.t += 1;
    const { lr, beta1, beta2, epsilon, clipNorm } = this.options;
    const c1 = 1 - Math.pow(beta1, this.t);
    const c2 = 1 - Math.pow(beta2, this.t);
    const stepSize = (lr * Math.sqrt(c2)) / c1;
    const epsHat = epsilon * Math.sqrt(c2);
    let norm: tf.Scalar | undefined;
    tf.tidy(() => {
      let scale: tf.Scalar | undefined;
      if (clipNorm !== null) {
        const sq = [...grads.values()].map((g) => tf.sum(tf.square(g)));
        norm = tf.keep(tf.sqrt(tf.addN(sq)) as tf.Scalar);
        // scale = min(1, clip / norm), computed on the device (no host sync).
        scale = tf.minimum(1, tf.div(clipNorm, tf.maximum(norm, 1e-12))) as tf.Scalar;
      }
      // ELBO's fused kernel where it exists (WASM, CPU), unless the unoptimised path is asked for.
      const fused = layerGradients() === 'custom' && hasFusedAdam();
      for (const [name, g0] of grads) {
        const p = this.params.get(name);
        if (!p) continue;
        if (fused) {
          const [pNew, mNew, vNew] = adamUpdate(p, this.m.get(name)!, this.v.get(name)!, g0, scale, { beta1, beta2, stepSize, epsHat });
          this.m.get(name)!.assign(mNew);
          this.v.get(name)!.assign(vNew);
          p.assign(pNew);
          continue;
        }
        const g = scale ? tf.mul(g0, scale) : g0;
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        const mNew = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const vNew = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        m.assign(mNew);
        v.assign(vNew);
        p.assign(tf.sub(p, tf.mul(tf.div(mNew, tf.add(tf.sqrt(vNew), epsHat)), stepSize)));
      }
    });
    for (const g of grads.values()) g.dispose();
    return norm;
  }

  /** Moments and step count, keyed `m/<param>`, `v/<param>`. */
  state(): { iterations: number; tensors: Map<string, tf.Tensor> } {
    const tensors = new Map<string, tf.Tensor>();
    for (const [k, t] of this.m) tensors.set(`m/${k}`, t);
    for (const [k, t] of this.v) tensors.set(`v/${k}`, t);
    return { iterations: this.t, tensors };
  }

  restore(iterations: number, tensors: ReadonlyMap<string, tf.Tensor>): void {
    this.t = iterations;
    for (const [k, t] of this.m) {
      const s = tensors.get(`m/${k}`);
      if (s) t.assign(s);
    }
    for (const [k, t] of this.v) {
      const s = tensors.get(`v/${k}`);
      if (s) t.assign(s);
    }
  }

  dispose(): void {
    for (const t of this.m.values()) t.dispose();
    for (const t of this.v.values()) t.dispose();
  }
}
