import { Container, ContainerModule, type ResolutionContext } from 'inversify';
import { Dataset } from '../data/dataset.js';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { type Condition, Conditioner, Decoder, Divergence, Encoder, Likelihood, Prior, Schedule } from '../model/interfaces.js';
import { ParameterStore } from '../model/parameters.js';
import { VaeModel, type Objective } from '../model/vae-model.js';
import { PosteriorFamily } from '../distributions/posterior.js';
import type { OptimizerFactory } from '@elbo/compute';
import { Optimizer } from '../optim/optimizer.js';
import type { ModelShape } from '../registry/component.js';
import { ComponentRegistry } from '../registry/component-registry.js';
import { Logger } from '../runtime/logger.js';
import { Rng, RngToken } from '../runtime/rng.js';
import { Tracker } from '../tracking/tracker.js';
import { TrackerHub } from '../tracking/tracker-hub.js';
import { checkpointing, heldOutEvaluation, tracking, TrainerCallback } from '../training/callbacks.js';
import { InProcessStrategy, TrainingStrategy } from '../training/strategy.js';
import { ConfigError } from '../config/config-error.js';
import { Trainer, TrainerOptions } from '../training/trainer.js';
import { buildDataset, createComponent } from './build-model.js';
import type { ResolvedRunConfig, ResolvedSectionConfig } from './run-config.js';

/** The run's resolved config. */
export const RunConfig = Symbol('RunConfig');
/** The model assembled from the run's components (a `VaeModel`). */
export const Model = Symbol('Model');
/** The shapes the model components are built for (`ModelShape`). */
export const Shape = Symbol('Shape');
/** The run's trackers behind one hub (`TrackerHub`). */
export const Trackers = Symbol('Trackers');
/**
 * A ContainerModule a package contributes to every run: loaded into the run's container after the
 * defaults, so it may rebind or decorate (`onActivation`) any of the run's services, or bind more
 * `Tracker`s and `TrainerCallback`s. Bound in the package's own ContainerModule.
 */
export const RunModule = Symbol('RunModule');
/** The run folder's absolute path (a string); bound when the run has one, e.g. for a callback that writes an artifact. */
export const RunDir = Symbol('RunDir');

export interface RunContainerOptions {
  readonly config: ResolvedRunConfig;
  readonly logger: Logger;
  /** The run folder (trackers and datasets with caches write there). */
  readonly runDir?: string;
  /** Where the trainer's checkpoints go; absent: no checkpoints. */
  readonly checkpointDir?: string;
  /** Trackers beyond config.tracking (bound first). */
  readonly trackers?: readonly Tracker[];
  /** The parent's registry, when the caller has it already. */
  readonly registry?: ComponentRegistry;
}

type Ctx = ResolutionContext;
const registryOf = (c: Ctx) => c.get(ComponentRegistry);
const configOf = (c: Ctx) => c.get<ResolvedRunConfig>(RunConfig);

/** What a component factory is given besides its options: the run's container, registry, Rng, logger, folder. */
function depsOf(c: Ctx) {
  return {
    container: c.get<Container>(Container),
    registry: registryOf(c),
    rng: c.get<Rng>(RngToken),
    logger: c.get<Logger>(Logger),
    runDir: c.get<string>(RunDir, { optional: true }),
  };
}

async function component<T>(c: Ctx, kind: string, section: ResolvedSectionConfig, scope: string, shape?: ModelShape, dataset?: Dataset): Promise<T> {
  return createComponent<T>(kind, section, depsOf(c), c.get(ParameterStore).scope(scope), shape, configOf(c), dataset);
}

/** Binds the run's services: each built once, from the config's component sections. */
function defaults(o: RunContainerOptions, registry: ComponentRegistry): ContainerModule {
  return new ContainerModule(({ bind }) => {
    const { config } = o;
    bind(RunConfig).toConstantValue(config);
    bind(ComponentRegistry).toConstantValue(registry);
    bind(Logger).toConstantValue(o.logger);
    if (o.runDir) bind(RunDir).toConstantValue(o.runDir);
    bind(RngToken)
      .toDynamicValue(() => new Rng(config.seed))
      .inSingletonScope();
    bind(ParameterStore)
      .toDynamicValue(() => new ParameterStore())
      .inSingletonScope();
    bind(Dataset)
      .toDynamicValue((c) => buildDataset(config, depsOf(c)))
      .inSingletonScope();
    const base = async (c: Ctx): Promise<ModelShape> => {
      const dataset = await c.getAsync<Dataset>(Dataset);
      const dataDim = dataset.shape.reduce((a, b) => a * b, 1);
      return {
        dataShape: dataset.shape,
        dataDim,
        latentDim: config.model.latent,
        conditionDim: 0,
        likelihoodParams: [],
        datasetSize: dataset.train.size,
        batchSize: Math.max(config.train.batchSize, config.eval.batchSize),
      };
    };
    const condition = config.model.condition;
    if (condition)
      bind(Conditioner)
        .toDynamicValue(async (c) => component<Conditioner>(c, 'condition', condition, 'condition', await base(c), await c.getAsync(Dataset)))
        .inSingletonScope();
    const pre = async (c: Ctx): Promise<ModelShape> => ({ ...(await base(c)), conditionDim: (await c.getAsync<Conditioner>(Conditioner, { optional: true }))?.dim ?? 0 });
    bind(Likelihood)
      .toDynamicValue(async (c) => component<Likelihood>(c, 'likelihood', config.model.likelihood, 'likelihood', await pre(c)))
      .inSingletonScope();
    bind(Shape)
      .toDynamicValue(async (c) => ({ ...(await pre(c)), likelihoodParams: (await c.getAsync<Likelihood>(Likelihood)).paramNames }))
      .inSingletonScope();
    const modelPart =
      <T>(kind: string, section: ResolvedSectionConfig) =>
      async (c: Ctx) =>
        component<T>(c, kind, section, kind, await c.getAsync<ModelShape>(Shape));
    bind(Encoder)
      .toDynamicValue(async (c) => {
        const [e, { corrupt }] = [await modelPart<Encoder>('encoder', config.model.encoder)(c), await c.getAsync<Dataset>(Dataset)];
        const noise = corrupt && c.get<Rng>(RngToken).stream('corrupt'); // data.corrupt: training encodes a corrupted batch, the target stays clean
        return corrupt && noise
          ? Object.assign(Object.create(e) as Encoder, { encode: (x: Tensor2D, k?: Condition, t?: boolean) => e.encode(t ? corrupt.apply(x, noise.nextSeed()) : x, k, t) })
          : e;
      })
      .inSingletonScope();
    bind(Decoder).toDynamicValue(modelPart<Decoder>('decoder', config.model.decoder)).inSingletonScope();
    bind(Prior).toDynamicValue(modelPart<Prior>('prior', config.model.prior)).inSingletonScope();
    bind(Divergence).toDynamicValue(modelPart<Divergence>('divergence', config.model.divergence)).inSingletonScope();
    const { posterior, objective } = config.model;
    if (posterior) bind(PosteriorFamily).toDynamicValue(modelPart<PosteriorFamily>('posterior', posterior)).inSingletonScope();
    bind(Schedule).toDynamicValue(modelPart<Schedule>('schedule', config.train.schedule)).inSingletonScope();
    // The model resolves its parts in this order, which fixes the order in which they draw their
    // initial weights from the run's `init` stream: the same seed gives the same weights.
    bind(Model)
      .toDynamicValue(async (c) => {
        const conditioner = await c.getAsync<Conditioner>(Conditioner, { optional: true });
        const likelihood = await c.getAsync<Likelihood>(Likelihood);
        const shape = await c.getAsync<ModelShape>(Shape);
        const [encoder, decoder, prior] = [await c.getAsync<Encoder>(Encoder), await c.getAsync<Decoder>(Decoder), await c.getAsync<Prior>(Prior)];
        const divergence = await c.getAsync<Divergence>(Divergence);
        const schedule = await c.getAsync<Schedule>(Schedule);
        const family = await c.getAsync<PosteriorFamily>(PosteriorFamily, { optional: true });
        const extras = { posterior: family, objective: objective && (await modelPart<Objective>('objective', objective)(c)) };
        const model = new VaeModel(shape, encoder, decoder, prior, likelihood, divergence, schedule, conditioner, extras);
        model.checkParts({ divergence: config.model.divergence.name, posterior: posterior?.name, objective: objective?.name });
        return model;
      })
      .inSingletonScope();
    bind(Optimizer)
      .toDynamicValue((c) => component<OptimizerFactory>(c, 'optimizer', config.optimizer, 'optimizer'))
      .inSingletonScope();
    for (const t of o.trackers ?? []) bind(Tracker).toConstantValue(t);
    for (const [name, options] of Object.entries(config.tracking)) {
      if (options !== false)
        bind(Tracker)
          .toDynamicValue((c) => createComponent<Tracker>('tracker', { name, ...options }, depsOf(c), new ParameterStore('tracker'), undefined, config))
          .inSingletonScope();
    }
    bind(Trackers)
      .toDynamicValue(async (c) => new TrackerHub(await c.getAllAsync<Tracker>(Tracker, { optional: true })))
      .inSingletonScope();
    // Training in this thread; a package that trains otherwise (@elbo/data-parallel) rebinds this.
    bind(TrainingStrategy)
      .toDynamicValue((c) => {
        const n = config.train.workers;
        if (n > 1)
          throw new ConfigError(
            `train.workers: ${n} needs a data-parallel training strategy, and no loaded package provides one (the elbo command loads @elbo/data-parallel); set train.workers: 1`,
          );
        return new InProcessStrategy({ compile: config.train.compile, log: (line) => c.get<Logger>(Logger).info(line) });
      })
      .inSingletonScope();
    bind(TrainerCallback).toConstantValue(heldOutEvaluation);
    if (o.checkpointDir) bind(TrainerCallback).toConstantValue(checkpointing(o.checkpointDir, config.train.checkpointEvery));
    bind(TrainerCallback)
      .toDynamicValue(async (c) => tracking(await c.getAsync<TrackerHub>(Trackers)))
      .inSingletonScope();
    const t = config.train;
    bind(TrainerOptions).toConstantValue({
      epochs: t.epochs,
      batchSize: t.batchSize,
      readEvery: t.readEvery,
      stepsPerEpoch: t.stepsPerEpoch,
      keepCheckpoints: t.keepCheckpoints,
      compile: t.compile,
      evalBatchSize: config.eval.batchSize,
      evalLimit: config.eval.limit,
    } satisfies TrainerOptions);
    bind(Trainer)
      .toDynamicValue(async (c) => {
        const model = await c.getAsync<VaeModel>(Model);
        const [dataset, optimizer, strategy] = [
          await c.getAsync<Dataset>(Dataset),
          await c.getAsync<OptimizerFactory>(Optimizer),
          await c.getAsync<TrainingStrategy>(TrainingStrategy),
        ];
        const callbacks = await c.getAllAsync<TrainerCallback>(TrainerCallback);
        return new Trainer(model, dataset, c.get<Rng>(RngToken), optimizer, strategy, callbacks, c.get<TrainerOptions>(TrainerOptions));
      })
      .inSingletonScope();
  });
}

/**
 * One container per run, a child of the process's container (which holds the component manifests):
 * the run's config, logger, Rng, Dataset, the model's components, optimiser, trackers, training
 * strategy, trainer callbacks and the Trainer are bound here, then every `RunModule` the packages
 * contribute is loaded, so a plugin can rebind or decorate any of them without editing the framework.
 */
export function createRunContainer(parent: Container, options: RunContainerOptions): Container {
  const run = new Container({ parent });
  run.bind(Container).toConstantValue(run);
  run.load(defaults(options, options.registry ?? ComponentRegistry.fromContainer(parent)));
  const modules = parent.isBound(RunModule) ? parent.getAll<ContainerModule>(RunModule) : [];
  if (modules.length) run.load(...modules);
  return run;
}
