import * as tf from '@tensorflow/tfjs-core';
import { layerGradients } from '@elbo/compute';
import {
  ConfigError,
  InProcessStrategy,
  TrainingAborted,
  type EpochSums,
  type Logger,
  type ResolvedRunConfig,
  type StepEnd,
  type Trainer,
  type TrainingStrategy,
  type VaeModel,
} from '@elbo/core';
import type { WorkerSetup } from './protocol.js';
import { readState, writeState } from './train-state.js';
import { WorkerGroup, type EpochResult } from './worker-group.js';

/**
 * Data-parallel training on `workers` threads, each with its own TensorFlow.js engine and a replica
 * of the model built from `config` (through `setup`); every batch is split into equal parts of
 * consecutive rows and the gradients are averaged in a fixed order. For the single-threaded
 * backends (WASM, CPU). Draws the same permutation and seeds as the in-process loop.
 */
export class DataParallelStrategy implements TrainingStrategy {
  readonly name = 'data-parallel';
  private group: WorkerGroup | undefined;

  constructor(
    readonly workers: number,
    private readonly config: ResolvedRunConfig,
    private readonly setup: WorkerSetup,
  ) {}

  describe(): string {
    return `training on ${this.workers} worker threads, ${this.config.train.batchSize / this.workers} examples of each batch apiece`;
  }

  async runEpoch(trainer: Trainer, epoch: number, stepsPerEpoch: number, onStep: (s: StepEnd) => void, signal?: AbortSignal): Promise<EpochSums> {
    const params = trainer.model.parameters();
    const backend = tf.getBackend();
    if (backend !== 'wasm' && backend !== 'cpu')
      throw new ConfigError(
        `train.workers: ${this.workers} worker threads run on the wasm and cpu backends; the ${backend} backend already uses every core (set train.workers: 1)`,
      );
    this.group ??= new WorkerGroup({
      workers: this.workers,
      config: this.config,
      backend,
      layerGradients: layerGradients(),
      setup: this.setup,
      batchSize: trainer.options.batchSize,
      params: [...params].map(([name, v]) => ({ name, size: v.size })),
    });
    const train = trainer.dataset.train;
    const perm = trainer.rng.stream('shuffle').permutation(train.size);
    const noise = trainer.rng.stream('noise');
    const dataRng = trainer.rng.stream('data');
    const noiseSeeds = new Int32Array(stepsPerEpoch);
    const dataSeeds = new Int32Array(stepsPerEpoch);
    for (let s = 0; s < stepsPerEpoch; s++) {
      noiseSeeds[s] = noise.nextSeed();
      dataSeeds[s] = dataRng.nextSeed();
    }
    const first = trainer.step;
    let latest: Record<string, number> = {};
    let result: EpochResult;
    try {
      result = await this.group.runEpoch(
        {
          step: first,
          steps: stepsPerEpoch,
          readEvery: trainer.options.readEvery,
          datasetSize: train.size,
          perm: Int32Array.from(perm),
          noiseSeeds,
          dataSeeds,
          state: await readState(params, trainer.optimizer),
          onStep: (done) => {
            trainer.step = first + done;
            onStep({ epoch, stepInEpoch: done, stepsPerEpoch, metrics: latest });
          },
          onSums: (done, keys, sums) => (latest = Object.fromEntries(keys.map((k, i) => [k, sums[i]! / done]))),
        },
        signal,
      );
    } catch (e) {
      if (signal?.aborted) throw new TrainingAborted();
      throw e;
    }
    writeState(params, trainer.optimizer, result.state);
    trainer.step = first + stepsPerEpoch;
    return { keys: result.keys, sums: result.sums };
  }

  dispose(): Promise<void> {
    return this.group?.dispose() ?? Promise.resolve();
  }
}

/**
 * Throws a ConfigError naming `train.workers` when a model cannot train data-parallel: a batch
 * that does not split evenly, a divergence whose terms couple a batch's examples, or one that
 * trains networks of its own.
 */
export function checkDataParallel(model: VaeModel, batchSize: number, workers: number): void {
  if (batchSize % workers !== 0) throw new ConfigError(`train.workers: train.batchSize (${batchSize}) must be a multiple of train.workers (${workers})`);
  const d = model.divergence;
  if (d.auxiliaryUpdate)
    throw new ConfigError(`train.workers: the divergence ${d.constructor.name} trains networks of its own each step; it trains in one thread only (set train.workers: 1)`);
  if (!d.perExample)
    throw new ConfigError(
      `train.workers: the divergence ${d.constructor.name} couples the examples of a batch (its terms are not means of per-example terms), so a split batch would change the objective (set train.workers: 1)`,
    );
}

/**
 * The strategy for `train.workers`: in this thread for 1; data-parallel threads on the single-threaded
 * backends (WASM, CPU); in this thread, with a note, on the native backend, whose kernels already use
 * every core. A config that cannot train data-parallel is refused on every backend.
 */
export function chooseStrategy(config: ResolvedRunConfig, model: VaeModel, logger: Logger, setup: WorkerSetup): TrainingStrategy {
  const workers = config.train.workers;
  const inProcess = () => new InProcessStrategy({ compile: config.train.compile, log: (line) => logger.info(line) });
  if (workers <= 1) return inProcess();
  checkDataParallel(model, config.train.batchSize, workers);
  const backend = tf.getBackend();
  if (backend !== 'wasm' && backend !== 'cpu') {
    logger.info(`train.workers: ${workers} does not apply on the ${backend} backend (its kernels already use every core); training in one thread`);
    return inProcess();
  }
  return new DataParallelStrategy(workers, config, setup);
}
