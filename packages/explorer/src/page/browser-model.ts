import * as tf from '@tensorflow/tfjs-core';
import {
  Conditioner,
  createComponent,
  createContainer,
  Decoder,
  Encoder,
  Likelihood,
  ParameterStore,
  PosteriorFamily,
  Prior,
  Rng,
  SilentLogger,
  type ConditionInput,
  type Dataset,
  type DataSplit,
  type ModelShape,
  type ResolvedRunConfig,
  type ResolvedSectionConfig,
} from '@elbo/core';
import type { DatasetSummary, SavedModel } from '../site-data.js';

type Modules = Parameters<typeof createContainer>[0];

/** The parts of a trained model that decode, rebuilt from the same components as in Node. */
export class BrowserModel {
  private constructor(
    readonly shape: ModelShape,
    readonly decoder: Decoder,
    readonly likelihood: Likelihood,
    readonly prior: Prior,
    readonly conditioner: Conditioner | undefined,
    private readonly store: ParameterStore,
  ) {}

  /**
   * Builds the condition, likelihood, decoder and prior named in the saved model through the same
   * registry and factories a run uses, in the same order and parameter scopes, bound in a container
   * as a run binds them (a prior may ask for the encoder or the posterior family: they are built
   * when asked for), and loads their weights from `weights.bin`; a parameter the file lacks is an
   * error naming it.
   */
  static async build(modules: Modules, saved: SavedModel, weights: ArrayBuffer, dataset: DatasetSummary): Promise<BrowserModel> {
    const { container, registry } = createContainer(modules);
    const deps = { container, registry, rng: new Rng(0), logger: new SilentLogger() };
    const config = { model: saved.model, data: saved.data } as unknown as ResolvedRunConfig;
    const store = new ParameterStore();
    // The feature-map bound is a training-time check: a page decodes one small batch at a time.
    // Components are built for the config's latent, as in a run; a posterior family may widen the model's (saved.shape).
    const shape: ModelShape = { ...saved.shape, latentDim: saved.model.latent, batchSize: undefined };
    const m = saved.model;
    const part =
      <T>(kind: string, section: ResolvedSectionConfig, data?: Dataset) =>
      () =>
        createComponent<T>(kind, section, deps, store.scope(kind), shape, config, data);
    if (m.condition)
      container
        .bind(Conditioner)
        .toDynamicValue(part<Conditioner>('condition', m.condition, datasetOf(dataset)))
        .inSingletonScope();
    container.bind(Likelihood).toDynamicValue(part<Likelihood>('likelihood', m.likelihood)).inSingletonScope();
    container.bind(Encoder).toDynamicValue(part<Encoder>('encoder', m.encoder)).inSingletonScope();
    container.bind(Decoder).toDynamicValue(part<Decoder>('decoder', m.decoder)).inSingletonScope();
    container.bind(Prior).toDynamicValue(part<Prior>('prior', m.prior)).inSingletonScope();
    if (m.posterior) container.bind(PosteriorFamily).toDynamicValue(part<PosteriorFamily>('posterior', m.posterior)).inSingletonScope();
    const conditioner = m.condition ? await container.getAsync<Conditioner>(Conditioner) : undefined;
    const likelihood = await container.getAsync<Likelihood>(Likelihood);
    const network = await container.getAsync<Decoder>(Decoder);
    const prior = await container.getAsync<Prior>(Prior);
    // As VaeModel does: a family whose z holds more than the decoder reads (two stochastic layers) says what it reads.
    const family = m.posterior ? await container.getAsync<PosteriorFamily>(PosteriorFamily) : undefined;
    const decoder: Decoder = family?.decoderInput ? { parameters: () => network.parameters(), decode: (z, c, t) => network.decode(family.decoderInput!(z), c, t) } : network;
    const all = new Float32Array(weights);
    const index = new Map(saved.tensors.map((t) => [t.name, t]));
    for (const [name, v] of store.parameters()) {
      const e = index.get(name);
      if (!e) throw new Error(`weights.bin has no tensor "${name}" (the model's ${name.split('/')[0]} needs it)`);
      const size = e.shape.reduce((a, b) => a * b, 1);
      tf.tidy(() => v.assign(tf.tensor(all.subarray(e.offset, e.offset + size), e.shape as number[])));
    }
    return new BrowserModel(saved.shape, decoder, likelihood, prior, conditioner, store);
  }

  /** The condition tensor for `n` rows of one class or one vector; undefined for unconditional models. */
  condition(input: ConditionInput | undefined): tf.Tensor2D | undefined {
    return this.conditioner && input ? this.conditioner.encode(input) : undefined;
  }

  /** E[x | z, c] for the rows of z (n × latent), as VaeModel.decodeMean computes it. */
  decodeMean(z: Float32Array, cond?: ConditionInput): Float32Array {
    const L = this.shape.latentDim;
    return tf.tidy(() => {
      const c = this.condition(cond);
      const zt = tf.tensor2d(z, [z.length / L, L]);
      return this.likelihood.mean(this.decoder.decode(zt, c, false)).dataSync() as Float32Array;
    });
  }

  /** One draw from the prior p(z[ | c]). */
  samplePrior(seed: number, cond?: ConditionInput): Float32Array {
    return tf.tidy(() => this.prior.sample(1, seed, this.condition(cond)).dataSync() as Float32Array);
  }

  dispose(): void {
    this.store.dispose();
  }
}

/** A Dataset with the run's summary and no rows: what a conditioner's factory reads (classes, vector width). */
function datasetOf(d: DatasetSummary): Dataset {
  const noRows = (): never => {
    throw new Error('the page has no training rows');
  };
  const split = (size: number): DataSplit => ({
    size,
    dim: d.shape.reduce((a, b) => a * b, 1),
    read: noRows,
    labels: d.labelled ? new Int32Array(0) : undefined,
    conditions: d.conditionDim ? { dim: d.conditionDim, read: noRows } : undefined,
  });
  return { name: d.name, shape: d.shape, support: d.support, numClasses: d.numClasses, train: split(d.trainSize), test: split(0), describe: () => d.name };
}
