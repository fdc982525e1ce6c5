import * as tf from '@tensorflow/tfjs-core';
import { dense } from '../nn/dense.js';
import { Adam } from '../training/adam.js';
import { mulberry32 } from '../runtime/rng.js';

export interface ClassifierOptions {
  /** Hidden layer widths ([] is multinomial logistic regression). */
  readonly hidden: readonly number[];
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
}

/**
 * A small softmax classifier (ReLU MLP, cross-entropy, Adam) for judging models: labelling
 * conditional samples, probing latent features. Trains on plain arrays (rows × dim).
 */
export class MlpClassifier {
  private readonly layers: { w: tf.Variable; b: tf.Variable }[] = [];

  constructor(
    readonly inDim: number,
    readonly numClasses: number,
    readonly options: ClassifierOptions,
  ) {
    let d = inDim;
    [...options.hidden, numClasses].forEach((h, i) => {
      const limit = Math.sqrt(6 / (d + h));
      this.layers.push({ w: tf.variable(tf.randomUniform([d, h], -limit, limit, 'float32', options.seed + i)), b: tf.variable(tf.zeros([h])) });
      d = h;
    });
  }

  private logits(x: tf.Tensor2D): tf.Tensor2D {
    return this.layers.reduce((h, l, i) => dense(h, l.w as tf.Tensor2D, l.b as tf.Tensor1D, i < this.layers.length - 1 ? 'relu' : 'linear'), x);
  }

  async fit(x: Float32Array, y: Int32Array): Promise<void> {
    const n = y.length;
    const params = new Map(this.layers.flatMap((l, i) => [[`w${i}`, l.w] as const, [`b${i}`, l.b] as const]));
    const adam = new Adam(params, { lr: this.options.lr, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, clipNorm: null });
    const names = new Map([...params].map(([k, v]) => [v.name, k]));
    const B = Math.min(this.options.batchSize, n);
    const u = mulberry32(this.options.seed);
    const xb = new Float32Array(B * this.inDim);
    const yb = new Int32Array(B);
    try {
      for (let e = 0; e < this.options.epochs; e++) {
        const perm = Int32Array.from({ length: n }, (_, i) => i);
        for (let i = n - 1; i > 0; i--) {
          const j = Math.floor(u() * (i + 1));
          [perm[i], perm[j]] = [perm[j]!, perm[i]!];
        }
        for (let s = 0; s + B <= n; s += B) {
          for (let r = 0; r < B; r++) {
            const k = perm[s + r]!;
            xb.set(x.subarray(k * this.inDim, (k + 1) * this.inDim), r * this.inDim);
            yb[r] = y[k]!;
          }
          tf.tidy(() => {
            const xt = tf.tensor2d(xb, [B, this.inDim]);
            const yt = tf.oneHot(tf.tensor1d(yb, 'int32'), this.numClasses);
            const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(yt, this.logits(xt)) as tf.Scalar, [...params.values()]);
            adam.apply(new Map(Object.entries(grads).map(([k, g]) => [names.get(k)!, g])));
          });
        }
      }
    } finally {
      adam.dispose();
    }
  }

  /** Most probable class of each row. */
  async predict(x: Float32Array): Promise<Int32Array> {
    const n = x.length / this.inDim;
    const t = tf.tidy(() => tf.argMax(this.logits(tf.tensor2d(x, [n, this.inDim])), 1));
    const out = new Int32Array(await t.data());
    t.dispose();
    return out;
  }

  async accuracy(x: Float32Array, y: Int32Array): Promise<number> {
    const p = await this.predict(x);
    let ok = 0;
    for (let i = 0; i < y.length; i++) ok += p[i] === y[i] ? 1 : 0;
    return ok / y.length;
  }

  dispose(): void {
    for (const l of this.layers) tf.dispose([l.w, l.b]);
  }
}
