import * as tf from '@tensorflow/tfjs-core';
import { disposeTidyStep, hostTensor, stepContext, tidyStep, withContext, type CompileSetting } from '@elbo/compute';
import type { StepEnd } from './callbacks.js';
import { accumulate, lossAndGradients } from './step.js';
import type { Trainer } from './trainer.js';
import { TrainingAborted } from './errors.js';

/** The loss parts of an epoch, summed over its steps, in the order of `keys` (`loss` first). */
export interface EpochSums {
  readonly keys: string[];
  readonly sums: ArrayLike<number>;
}

/**
 * How the steps of one epoch run: in this thread, or data-parallel on worker threads. The loop
 * draws nothing itself; a strategy draws the epoch's permutation and seeds from the trainer's
 * streams (`shuffle`, `noise`, `data`) in the same order, so strategies give the same run.
 */
export interface TrainingStrategy {
  readonly name: string;
  /** A line for the log when the strategy is not the plain in-process loop. */
  describe?(): string;
  runEpoch(trainer: Trainer, epoch: number, stepsPerEpoch: number, onStep: (s: StepEnd) => void, signal?: AbortSignal): Promise<EpochSums>;
  dispose(): void | Promise<void>;
}
export const TrainingStrategy = Symbol('TrainingStrategy');

/**
 * The per-step loop in this thread: batch → objective → gradients → optimiser → the divergence's
 * auxiliary update (if any) → running sums on the device, read back every `readEvery` steps only.
 */
export class InProcessStrategy implements TrainingStrategy {
  readonly name = 'in-process';
  private buf: Float32Array | undefined;
  private auxBuf: Float32Array | undefined;
  /** `compile`: steps on the native backend as one compiled TensorFlow function (`train.compile`). */
  constructor(private readonly opts: { compile?: CompileSetting; log?: (line: string) => void } = {}) {}

  async runEpoch(trainer: Trainer, epoch: number, stepsPerEpoch: number, onStep: (s: StepEnd) => void, signal?: AbortSignal): Promise<EpochSums> {
    const { model, dataset, rng, optimizer } = trainer;
    const B = trainer.options.batchSize;
    const train = dataset.train;
    const D = train.dim;
    this.buf ??= new Float32Array(B * D);
    const buf = this.buf;
    const aux = model.divergence.auxiliaryUpdate?.bind(model.divergence);
    const auxBuf = aux ? (this.auxBuf ??= new Float32Array(B * D)) : undefined;
    const params = model.parameters();
    const vars = [...params.values()];
    const nameOf = new Map([...params].map(([k, v]) => [v.name, k]));
    const conditioner = model.conditioner;
    const noise = rng.stream('noise');
    const dataRng = rng.stream('data');
    const perm = rng.stream('shuffle').permutation(train.size);
    let keys: string[] | undefined;
    let acc: tf.Tensor | undefined;
    let latest: Record<string, number> = {};
    const step = tidyStep(this, this.opts.compile ?? 'auto', this.opts.log);
    for (let s = 0; s < stepsPerEpoch; s++) {
      if (signal?.aborted) throw new TrainingAborted();
      const idx = perm.subarray(s * B, (s + 1) * B);
      train.read(idx, buf);
      const ctx = stepContext({ datasetSize: train.size, seed: noise.nextSeed() }, trainer.step);
      const tSeed = dataRng.nextSeed();
      const cond = conditioner?.read(train, idx);
      // The auxiliary batch is drawn before the step, in each stream's order, so that compiled steps
      // may run without this code: their host work is the batches in the buffers, draws from these seeds, the step number.
      const u = auxBuf && dataRng.nextGenerator();
      const auxIdx = u ? Int32Array.from({ length: B }, () => Math.floor(u() * train.size)) : undefined;
      if (auxIdx) train.read(auxIdx, auxBuf!);
      const auxSeeds = auxIdx ? [dataset.trainTransform ? dataRng.nextSeed() : 0, noise.nextSeed()] : [];
      const plan = { keys: [ctx.seed, tSeed, ...auxSeeds], step: trainer.step };
      const stepAcc = step(() => {
        const x0 = hostTensor(() => tf.tensor2d(buf, [B, D])) as tf.Tensor2D;
        const x = dataset.trainTransform ? dataset.trainTransform.apply(x0, tSeed) : x0;
        const { value, grads, parts } = lossAndGradients(model, x, cond, ctx, vars, nameOf);
        const norm = optimizer.apply(grads);
        if (norm) parts['grad_norm'] = norm;
        if (aux && auxIdx) {
          const xa0 = hostTensor(() => tf.tensor2d(auxBuf!, [B, D])) as tf.Tensor2D;
          const xa = dataset.trainTransform ? dataset.trainTransform.apply(xa0, auxSeeds[0]!) : xa0;
          const ca = model.condition(conditioner?.read(train, auxIdx));
          Object.assign(parts, aux({ x: xa, encode: (xx) => model.encoder.encode(xx, ca, true) }, withContext(ctx, { condition: ca, seed: auxSeeds[1]! })) ?? {});
        }
        const next = accumulate(acc, keys, value, parts);
        keys = next.keys;
        return next.sums;
      }, plan);
      if (stepAcc !== acc) acc?.dispose();
      acc = stepAcc;
      trainer.step += 1;
      if ((s + 1) % trainer.options.readEvery === 0 && s + 1 < stepsPerEpoch) {
        const v = await acc.data();
        latest = Object.fromEntries(keys!.map((k, i) => [k, v[i]! / (s + 1)]));
      }
      onStep({ epoch, stepInEpoch: s + 1, stepsPerEpoch, metrics: latest });
    }
    const sums = (await acc!.data()) as Float32Array;
    acc!.dispose();
    return { keys: keys!, sums };
  }

  dispose(): void {
    disposeTidyStep(this);
  }
}
