import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../data/dataset.js';
import type { VaeModel } from '../model/vae-model.js';
import type { Rng } from '../runtime/rng.js';
import type { MetricPoint, Tracker } from '../tracking/tracker.js';
import { Adam, type AdamOptions } from './adam.js';
import { saveCheckpoint, type Checkpoint } from './checkpoint.js';
import { evaluate, type Evaluation } from './evaluate.js';

export interface TrainerOptions {
  readonly epochs: number;
  readonly batchSize: number;
  /** Steps between read-backs of the running losses (for progress; never every step). */
  readonly readEvery: number;
  readonly optimizer: AdamOptions;
  /** Examples of the test split evaluated after every epoch (negative ELBO, no IWAE). */
  readonly evalBatchSize: number;
  readonly evalLimit?: number;
  /** Folder for checkpoints; undefined: no checkpoints. */
  readonly checkpointDir?: string;
  readonly checkpointEvery: number;
  /** Cap on steps per epoch (each epoch still draws a fresh permutation of the whole split). */
  readonly stepsPerEpoch?: number;
}

export class TrainingAborted extends Error {
  constructor() {
    super('training was interrupted');
    this.name = 'TrainingAborted';
  }
}

export class TrainingDiverged extends Error {
  constructor(epoch: number, key: string, value: number) {
    super(`training diverged: ${key} is ${value} in epoch ${epoch} (lower the learning rate, or set optimizer.clipNorm)`);
    this.name = 'TrainingDiverged';
  }
}

/**
 * The one trainer for every model. Per step: batch → objective → gradients → Adam → the
 * divergence's auxiliary update (if it has one) → running sums on the device. Losses are read back
 * every `readEvery` steps and at epoch ends only. After every epoch: held-out negative ELBO, metric
 * points to the trackers, and a checkpoint (weights, optimizer moments, RNG positions, history).
 */
export class Trainer {
  readonly history: MetricPoint[] = [];
  /** Evaluations of the current weights after training (final metrics); saved with checkpoints. */
  readonly evaluations: MetricPoint[] = [];
  epoch = 0;
  step = 0;
  private readonly adam: Adam;
  private readonly params: Map<string, tf.Variable>;

  constructor(
    private readonly model: VaeModel,
    private readonly dataset: Dataset,
    private readonly rng: Rng,
    private readonly tracker: Tracker,
    readonly options: TrainerOptions,
  ) {
    this.params = model.parameters();
    this.adam = new Adam(this.params, options.optimizer);
  }

  /** Restores weights, optimizer, RNG positions and history from a checkpoint. */
  restore(ck: Checkpoint): void {
    for (const [name, v] of this.params) {
      const t = ck.tensors.get(`param/${name}`);
      if (!t) throw new Error(`checkpoint has no parameter "${name}" (was the config changed?)`);
      v.assign(t);
    }
    const opt = new Map<string, tf.Tensor>();
    const aux = new Map<string, tf.Tensor>();
    for (const [k, t] of ck.tensors) {
      if (k.startsWith('adam/')) opt.set(k.slice(5), t);
      if (k.startsWith('aux/')) aux.set(k.slice(4), t);
    }
    this.adam.restore(ck.optimizer.iterations, opt);
    if (aux.size) this.model.divergence.restoreAuxiliaryState?.(aux);
    this.rng.restore(ck.rng);
    this.epoch = ck.epoch;
    this.step = ck.step;
    this.history.splice(0, this.history.length, ...ck.history);
    this.evaluations.splice(0, this.evaluations.length, ...ck.evaluations);
  }

  async fit(signal?: AbortSignal): Promise<void> {
    const { batchSize: B, epochs } = this.options;
    const train = this.dataset.train;
    const D = train.dim;
    const stepsPerEpoch = Math.min(Math.floor(train.size / B), this.options.stepsPerEpoch ?? Infinity);
    if (stepsPerEpoch < 1) throw new Error(`train.batchSize (${B}) is larger than the training split (${train.size} examples)`);
    const buf = new Float32Array(B * D);
    const auxBuf = this.model.divergence.auxiliaryUpdate ? new Float32Array(B * D) : undefined;
    const vars = [...this.params.values()];
    const nameOf = new Map([...this.params].map(([k, v]) => [v.name, k]));
    const conditioner = this.model.conditioner;
    const shuffle = this.rng.stream('shuffle');
    const noise = this.rng.stream('noise');
    const dataRng = this.rng.stream('data');
    const evalRng = this.rng.stream('eval');

    while (this.epoch < epochs) {
      const epoch = this.epoch + 1;
      const perm = shuffle.permutation(train.size);
      let keys: string[] | undefined;
      let acc: tf.Tensor | undefined;
      let latest: Record<string, number> = {};
      for (let s = 0; s < stepsPerEpoch; s++) {
        if (signal?.aborted) throw new TrainingAborted();
        const idx = perm.subarray(s * B, (s + 1) * B);
        train.read(idx, buf);
        const ctx = { step: this.step, datasetSize: train.size, seed: noise.nextSeed() };
        const tSeed = dataRng.nextSeed();
        const cond = conditioner?.read(train, idx);
        const stepAcc = tf.tidy(() => {
          const x0 = tf.tensor2d(buf, [B, D]);
          const x = this.dataset.trainTransform ? this.dataset.trainTransform.apply(x0, tSeed) : x0;
          let parts: Record<string, tf.Scalar> = {};
          const { value, grads } = tf.variableGrads(() => {
            const o = this.model.objective(x, cond, ctx);
            parts = Object.fromEntries(Object.entries(o.parts).map(([k, v]) => [k, tf.keep(v)]));
            return o.loss;
          }, vars);
          const named = new Map<string, tf.Tensor>();
          for (const [vn, g] of Object.entries(grads)) named.set(nameOf.get(vn)!, g);
          const norm = this.adam.apply(named);
          if (norm) parts['grad_norm'] = norm;
          if (this.model.divergence.auxiliaryUpdate && auxBuf) {
            const auxIdx = new Int32Array(B);
            const u = dataRng.nextGenerator();
            for (let i = 0; i < B; i++) auxIdx[i] = Math.floor(u() * train.size);
            train.read(auxIdx, auxBuf);
            const xa0 = tf.tensor2d(auxBuf, [B, D]);
            const xa = this.dataset.trainTransform ? this.dataset.trainTransform.apply(xa0, dataRng.nextSeed()) : xa0;
            const ca = this.model.condition(conditioner?.read(train, auxIdx));
            const extra = this.model.divergence.auxiliaryUpdate({ x: xa, encode: (xx) => this.model.encoder.encode(xx, ca, true) }, { ...ctx, condition: ca, seed: noise.nextSeed() });
            Object.assign(parts, extra ?? {});
          }
          keys ??= ['loss', ...Object.keys(parts)];
          const row = tf.stack([value, ...keys.slice(1).map((k) => parts[k] ?? tf.scalar(NaN))]);
          // Parts were kept out of the gradient tape's scope; release them now that they are stacked.
          tf.dispose(Object.values(parts));
          return acc ? tf.add(acc, row) : row;
        });
        acc?.dispose();
        acc = stepAcc;
        this.step += 1;
        if ((s + 1) % this.options.readEvery === 0 && s + 1 < stepsPerEpoch) {
          const v = await acc.data();
          latest = Object.fromEntries(keys!.map((k, i) => [k, v[i]! / (s + 1)]));
        }
        this.tracker.progress?.({ phase: 'train', epoch, epochs, step: this.step, stepInEpoch: s + 1, stepsPerEpoch, metrics: latest });
      }
      const sums = await acc!.data();
      acc!.dispose();
      const trainMetrics = Object.fromEntries(keys!.map((k, i) => [`train/${k}`, sums[i]! / stepsPerEpoch]));
      const ev = await this.evaluateTest(evalRng, 0);
      const now = Date.now();
      const values: Record<string, number> = { ...trainMetrics, 'test/neg_elbo': ev.negElbo, 'test/recon': ev.recon, 'test/kl': ev.kl };
      for (const [k, v] of Object.entries(values)) if (!Number.isFinite(v) && k.endsWith('loss')) throw new TrainingDiverged(epoch, k, v);
      const points = Object.entries(values).map(([key, value]) => ({ key, value, step: epoch, timestamp: now }));
      this.history.push(...points);
      this.evaluations.length = 0; // evaluations of earlier weights are stale now
      this.epoch = epoch;
      if (this.options.checkpointDir && (epoch % this.options.checkpointEvery === 0 || epoch === epochs)) await this.checkpoint();
      await this.tracker.logMetrics(points);
    }
  }

  /** Held-out evaluation with the trainer's own streams (k = 0: ELBO only). */
  evaluateTest(stream = this.rng.stream('eval'), k: number, onProgress?: (done: number, total: number) => void): Promise<Evaluation> {
    return evaluate(this.model, this.dataset.test, stream, { k, batchSize: this.options.evalBatchSize, limit: this.options.evalLimit, onProgress });
  }

  async checkpoint(): Promise<void> {
    const tensors = new Map<string, tf.Tensor>();
    for (const [k, v] of this.params) tensors.set(`param/${k}`, v);
    const opt = this.adam.state();
    for (const [k, v] of opt.tensors) tensors.set(`adam/${k}`, v);
    for (const [k, v] of this.model.divergence.auxiliaryState?.() ?? []) tensors.set(`aux/${k}`, v);
    await saveCheckpoint(this.options.checkpointDir!, { epoch: this.epoch, step: this.step, rng: this.rng.state(), optimizer: { iterations: opt.iterations }, history: this.history, evaluations: this.evaluations }, tensors);
  }

  dispose(): void {
    this.adam.dispose();
  }
}

export function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(2) : v.toPrecision(4);
}
