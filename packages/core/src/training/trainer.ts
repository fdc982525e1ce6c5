import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../data/dataset.js';
import type { VaeModel } from '../model/vae-model.js';
import type { Rng } from '../runtime/rng.js';
import type { MetricPoint, Tracker } from '../tracking/tracker.js';
import { Adam, type AdamOptions } from './adam.js';
import { saveCheckpoint, type Checkpoint } from './checkpoint.js';
import { evaluate, type Evaluation } from './evaluate.js';
import { accumulate, lossAndGradients } from './step.js';
import { ConfigError } from '../config/config-error.js';
import { layerGradients } from '@elbo/compute';
import type { ResolvedRunConfig } from '../run/run-config.js';
import type { TrainState, WorkerSetup } from './parallel/protocol.js';
import { WorkerGroup, type EpochResult } from './parallel/worker-group.js';

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
  /** Data-parallel training on worker threads (see `DataParallel`); absent: this thread trains. */
  readonly parallel?: DataParallel;
}

/**
 * Data-parallel training: `workers` threads, each with its own TensorFlow.js engine and a replica
 * of the model built from `config` (through `setup`), split every batch into equal parts of
 * consecutive rows and average their gradients. For the single-threaded backends (WASM, CPU).
 */
export interface DataParallel {
  readonly workers: number;
  readonly config: ResolvedRunConfig;
  readonly setup: WorkerSetup;
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
  private readonly group: WorkerGroup | undefined;
  private buf: Float32Array | undefined;
  private auxBuf: Float32Array | undefined;

  constructor(
    private readonly model: VaeModel,
    private readonly dataset: Dataset,
    private readonly rng: Rng,
    private readonly tracker: Tracker,
    readonly options: TrainerOptions,
  ) {
    const p = options.parallel;
    if (p && p.workers > 1) {
      checkDataParallel(model, options.batchSize, p.workers);
      const backend = tf.getBackend();
      if (backend !== 'wasm' && backend !== 'cpu') throw new ConfigError(`train.workers: ${p.workers} worker threads run on the wasm and cpu backends; the ${backend} backend already uses every core (set train.workers: 1)`);
    }
    this.params = model.parameters();
    this.adam = new Adam(this.params, options.optimizer);
    if (p && p.workers > 1) {
      this.group = new WorkerGroup({
        workers: p.workers,
        config: p.config,
        backend: tf.getBackend() as 'wasm' | 'cpu',
        layerGradients: layerGradients(),
        setup: p.setup,
        batchSize: options.batchSize,
        params: [...this.params].map(([name, v]) => ({ name, size: v.size })),
      });
    }
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
    const stepsPerEpoch = Math.min(Math.floor(train.size / B), this.options.stepsPerEpoch ?? Infinity);
    if (stepsPerEpoch < 1) throw new Error(`train.batchSize (${B}) is larger than the training split (${train.size} examples)`);
    const evalRng = this.rng.stream('eval');

    while (this.epoch < epochs) {
      const epoch = this.epoch + 1;
      const { keys, sums } = this.group ? await this.epochOnWorkers(epoch, stepsPerEpoch, this.group, signal) : await this.epochInProcess(epoch, stepsPerEpoch, signal);
      const trainMetrics = Object.fromEntries(keys.map((k, i) => [`train/${k}`, sums[i]! / stepsPerEpoch]));
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

  /** One epoch in this thread: the per-step loop. Returns the loss parts summed over its steps. */
  private async epochInProcess(epoch: number, stepsPerEpoch: number, signal?: AbortSignal): Promise<{ keys: string[]; sums: Float32Array | number[] }> {
    const { batchSize: B, epochs } = this.options;
    const train = this.dataset.train;
    const D = train.dim;
    this.buf ??= new Float32Array(B * D);
    const buf = this.buf;
    const auxBuf = this.model.divergence.auxiliaryUpdate ? (this.auxBuf ??= new Float32Array(B * D)) : undefined;
    const vars = [...this.params.values()];
    const nameOf = new Map([...this.params].map(([k, v]) => [v.name, k]));
    const conditioner = this.model.conditioner;
    const noise = this.rng.stream('noise');
    const dataRng = this.rng.stream('data');
    const perm = this.rng.stream('shuffle').permutation(train.size);
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
        const { value, grads, parts } = lossAndGradients(this.model, x, cond, ctx, vars, nameOf);
        const norm = this.adam.apply(grads);
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
        const next = accumulate(acc, keys, value, parts);
        keys = next.keys;
        return next.sums;
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
    const sums = (await acc!.data()) as Float32Array;
    acc!.dispose();
    return { keys: keys!, sums };
  }

  /**
   * One epoch on the worker threads (data-parallel): the same permutation and seeds as the
   * in-process loop draws, handed to the workers with the current weights and optimizer state;
   * afterwards their state becomes this trainer's.
   */
  private async epochOnWorkers(epoch: number, stepsPerEpoch: number, group: WorkerGroup, signal?: AbortSignal): Promise<{ keys: string[]; sums: number[] }> {
    const { epochs } = this.options;
    const train = this.dataset.train;
    const perm = this.rng.stream('shuffle').permutation(train.size);
    const noise = this.rng.stream('noise');
    const dataRng = this.rng.stream('data');
    const noiseSeeds = new Int32Array(stepsPerEpoch);
    const dataSeeds = new Int32Array(stepsPerEpoch);
    for (let s = 0; s < stepsPerEpoch; s++) {
      noiseSeeds[s] = noise.nextSeed();
      dataSeeds[s] = dataRng.nextSeed();
    }
    const first = this.step;
    let latest: Record<string, number> = {};
    let result: EpochResult;
    try {
      result = await group.runEpoch(
        {
          step: first,
          steps: stepsPerEpoch,
          readEvery: this.options.readEvery,
          datasetSize: train.size,
          perm: Int32Array.from(perm),
          noiseSeeds,
          dataSeeds,
          state: await this.exportState(),
          onStep: (done) => this.tracker.progress?.({ phase: 'train', epoch, epochs, step: first + done, stepInEpoch: done, stepsPerEpoch, metrics: latest }),
          onSums: (done, keys, sums) => (latest = Object.fromEntries(keys.map((k, i) => [k, sums[i]! / done]))),
        },
        signal,
      );
    } catch (e) {
      if (signal?.aborted) throw new TrainingAborted();
      throw e;
    }
    this.importState(result.state);
    this.step = first + stepsPerEpoch;
    return { keys: result.keys, sums: result.sums };
  }

  private async exportState(): Promise<TrainState> {
    const { iterations, tensors } = this.adam.state();
    const names = [...this.params.keys()];
    const read = async (t: tf.Tensor) => (await t.data()) as Float32Array;
    return {
      iterations,
      params: await Promise.all(names.map((n) => read(this.params.get(n)!))),
      m: await Promise.all(names.map((n) => read(tensors.get(`m/${n}`)!))),
      v: await Promise.all(names.map((n) => read(tensors.get(`v/${n}`)!))),
    };
  }

  private importState(state: TrainState): void {
    const names = [...this.params.keys()];
    tf.tidy(() => {
      const moments = new Map<string, tf.Tensor>();
      names.forEach((n, i) => {
        const p = this.params.get(n)!;
        p.assign(tf.tensor(state.params[i]!, p.shape));
        moments.set(`m/${n}`, tf.tensor(state.m[i]!, p.shape));
        moments.set(`v/${n}`, tf.tensor(state.v[i]!, p.shape));
      });
      this.adam.restore(state.iterations, moments);
    });
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
    void this.group?.dispose();
  }
}

/**
 * Throws a ConfigError naming `train.workers` when a model cannot train data-parallel: a batch
 * that does not split evenly, a divergence whose terms couple a batch's examples, or one that
 * trains networks of its own. (Which backend runs is checked separately: see `Trainer`.)
 */
export function checkDataParallel(model: VaeModel, batchSize: number, workers: number): void {
  if (batchSize % workers !== 0) throw new ConfigError(`train.workers: train.batchSize (${batchSize}) must be a multiple of train.workers (${workers})`);
  const d = model.divergence;
  if (d.auxiliaryUpdate) throw new ConfigError(`train.workers: the divergence ${d.constructor.name} trains networks of its own each step; it trains in one thread only (set train.workers: 1)`);
  if (!d.perExample) throw new ConfigError(`train.workers: the divergence ${d.constructor.name} couples the examples of a batch (its terms are not means of per-example terms), so a split batch would change the objective (set train.workers: 1)`);
}

export function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(2) : v.toPrecision(4);
}
