import * as tf from '@tensorflow/tfjs-core';
import { Adam, conv2d, dense } from '@elbo/compute';
import { mulberry32 } from '../src/runtime/rng.js';

export interface ClassifierOptions {
  /** Hidden layer widths ([] is multinomial logistic regression). */
  readonly hidden: readonly number[];
  /**
   * Optional convolutional front end for image rows: stride-2 5×5 'same' ReLU convolutions with
   * these channels over images of `imageShape`, flattened into the MLP.
   */
  readonly conv?: { readonly imageShape: readonly [number, number, number]; readonly channels: readonly number[] };
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
}

/**
 * A small softmax classifier (optional conv front end, ReLU MLP, cross-entropy, Adam) for judging models: labelling
 * conditional samples, probing latent features. Trains on plain arrays (rows × dim).
 */
export class MlpClassifier {
  private readonly layers: { w: tf.Variable; b: tf.Variable }[] = [];
  private readonly convs: { w: tf.Variable; b: tf.Variable }[] = [];

  constructor(
    readonly inDim: number,
    readonly numClasses: number,
    readonly options: ClassifierOptions,
  ) {
    let d = inDim;
    if (options.conv) {
      let [h, w, ch] = options.conv.imageShape;
      options.conv.channels.forEach((out, i) => {
        const limit = Math.sqrt(6 / (25 * (ch + out)));
        this.convs.push({ w: tf.variable(tf.randomUniform([5, 5, ch, out], -limit, limit, 'float32', options.seed + 100 + i)), b: tf.variable(tf.zeros([out])) });
        [h, w, ch] = [Math.ceil(h / 2), Math.ceil(w / 2), out];
      });
      d = h * w * ch;
    }
    [...options.hidden, numClasses].forEach((h, i) => {
      const limit = Math.sqrt(6 / (d + h));
      this.layers.push({ w: tf.variable(tf.randomUniform([d, h], -limit, limit, 'float32', options.seed + i)), b: tf.variable(tf.zeros([h])) });
      d = h;
    });
  }

  private logits(x0: tf.Tensor2D): tf.Tensor2D {
    let x = x0;
    if (this.options.conv) {
      const n = x0.shape[0];
      const img = this.convs.reduce(
        (h, l) => tf.relu(tf.add(conv2d(h, l.w as tf.Tensor4D, 2, 'same'), l.b)) as tf.Tensor4D,
        tf.reshape(x0, [n, ...this.options.conv.imageShape]) as tf.Tensor4D,
      );
      x = tf.reshape(img, [n, -1]) as tf.Tensor2D;
    }
    return this.layers.reduce((h, l, i) => dense(h, l.w as tf.Tensor2D, l.b as tf.Tensor1D, i < this.layers.length - 1 ? 'relu' : 'linear'), x);
  }

  async fit(x: Float32Array, y: Int32Array): Promise<void> {
    const n = y.length;
    const params = new Map(
      [...this.convs.map((l, i) => ['conv', i, l] as const), ...this.layers.map((l, i) => ['dense', i, l] as const)].flatMap(([k, i, l]) => [
        [`${k}${i}/w`, l.w] as const,
        [`${k}${i}/b`, l.b] as const,
      ]),
    );
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
    const out = new Int32Array(n);
    for (let s = 0; s < n; s += 500) {
      const m = Math.min(500, n - s);
      const t = tf.tidy(() => tf.argMax(this.logits(tf.tensor2d(x.subarray(s * this.inDim, (s + m) * this.inDim), [m, this.inDim])), 1));
      out.set(await t.data(), s);
      t.dispose();
    }
    return out;
  }

  async accuracy(x: Float32Array, y: Int32Array): Promise<number> {
    const p = await this.predict(x);
    let ok = 0;
    for (let i = 0; i < y.length; i++) ok += p[i] === y[i] ? 1 : 0;
    return ok / y.length;
  }

  dispose(): void {
    for (const l of [...this.convs, ...this.layers]) tf.dispose([l.w, l.b]);
  }
}
