import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Container } from 'inversify';
import { ComponentRegistry, ParameterStore, Rng, SilentLogger, coreModule, createContainer, validate, type Dataset, type ModelShape } from '@elbo/core';
import { selectBackend } from '@elbo/compute';
import { dataParallel, firstPartyModules } from '../src/first-party.js';
import { modelsVaeModule } from '@elbo/models-vae';
import { modelsCvaeModule } from '@elbo/models-cvae';
import { modelsDisentangledModule } from '@elbo/models-disentangled';
import { modelsIwaeModule } from '@elbo/models-iwae';
import { modelsVampModule } from '@elbo/models-vamp';
import { modelsFlowsModule } from '@elbo/models-flows';
import { modelsVqModule } from '@elbo/models-vq';
import { datasetsModule, loadMnist } from '@elbo/datasets';
import { trackersModule } from '@elbo/trackers';
import { sweepModule } from '../src/sweep/sweep-module.js';
import { componentsMarkdown } from '../src/commands/components.js';
import { repoRoot } from './helpers.js';
import { usesModule } from '@elbo/uses';
import { trainingCurvesModule } from '../src/plots/training-curves.js';

let dataset: Dataset;
beforeAll(async () => {
  await selectBackend('cpu');
  dataset = await loadMnist({ limit: { train: 20, test: 10 } }); // labelled: conditioners read its classes
});

/** Conditional components are built for a 10-class condition (one-hot width). */
const shape: ModelShape = { dataShape: [28, 28, 1], dataDim: 784, latentDim: 4, conditionDim: 10, likelihoodParams: ['logits'], datasetSize: 100 };

/** Components whose options have no complete default (they need a path or URL). */
const needsOptions = new Set(['dataset/idx', 'dataset/csv']);

/**
 * Components that, with default options, need something from the run's world and say so with a
 * ConfigError: a tracking server's URI, condition vectors in the dataset, a Redis URL.
 */
const needsWorld = new Map([
  ['tracker/mlflow', 'no MLflow tracking URI'],
  ['condition/vector', 'needs a dataset with condition vectors'],
  ['prior/two-layer', 'the prior of model.posterior "two-layer"'],
  ['prior/vamp', 'for unconditional models'],
  ['divergence/vq', 'needs model.posterior "vq"'],
  ['prior/codebook', 'needs model.posterior "vq"'],
  ['executor/bullmq', 'give the Redis URL'],
]);

describe('first-party modules', () => {
  const modules = {
    core: coreModule,
    'models-vae': modelsVaeModule,
    'models-cvae': modelsCvaeModule,
    'models-disentangled': modelsDisentangledModule,
    'models-iwae': modelsIwaeModule,
    'models-vamp': modelsVampModule,
    'models-flows': modelsFlowsModule,
    'models-vq': modelsVqModule,
    datasets: datasetsModule,
    trackers: trackersModule,
    'data-parallel': dataParallel,
    sweep: sweepModule,
    uses: usesModule,
    'training-curves': trainingCurvesModule,
  };
  it('the runner loads every first-party module', () => {
    expect(new Set(firstPartyModules)).toEqual(new Set(Object.values(modules).slice(1)));
  });
  for (const [name, module] of Object.entries(modules)) {
    it(`${name}: loads into a fresh container and builds every component with default options`, async () => {
      // Core's module is always there (createContainer loads it): its optimisers serve FactorVAE's discriminator.
      const container = new Container();
      container.load(...(module === coreModule ? [coreModule] : [coreModule, module]));
      const registry = ComponentRegistry.fromContainer(container);
      for (const d of registry.list()) {
        const id = `${d.kind}/${d.name}`;
        const r = validate(d.options, {}, id);
        if (needsOptions.has(id)) {
          expect(r.ok, `${id} should require options`).toBe(false);
          continue;
        }
        expect(r.ok, `${id}: ${r.ok ? '' : r.problems.join('; ')}`).toBe(true);
        if (!r.ok) continue;
        const before = tf.memory().numTensors;
        const params = new ParameterStore(d.kind);
        const ctx = { container, rng: new Rng(1), logger: new SilentLogger(), params, shape, runDir: undefined, dataset };
        if (needsWorld.has(id)) {
          await expect(Promise.resolve().then(() => d.create(r.value, ctx))).rejects.toThrow(needsWorld.get(id));
          continue;
        }
        const made = await d.create(r.value, ctx);
        expect(made, id).toBeTruthy();
        params.dispose();
        (made as { dispose?: () => void }).dispose?.();
        expect(tf.memory().numTensors, `${id} leaves no tensors behind`).toBeLessThanOrEqual(before + 0);
      }
    });
  }

  it('all together register each name once, with a summary and a strict options schema', () => {
    const { registry } = createContainer(firstPartyModules);
    const all = registry.list();
    expect(all.length).toBeGreaterThanOrEqual(12);
    for (const d of all) {
      expect(d.summary.length, `${d.kind}/${d.name}`).toBeGreaterThan(10);
      const r = validate(d.options, { definitelyNotAnOption: 1 }, `${d.kind}/${d.name}`);
      expect(r.ok, `${d.kind}/${d.name} must reject unknown options`).toBe(false);
    }
  });

  it('the README config reference matches the registered components', () => {
    const { registry } = createContainer(firstPartyModules);
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const start = readme.indexOf('<!-- components:start -->');
    const end = readme.indexOf('<!-- components:end -->');
    expect(start, 'README has a generated components section').toBeGreaterThan(0);
    const section = readme.slice(start + '<!-- components:start -->'.length, end).trim();
    expect(section, 'regenerate with: npm run docs').toBe(componentsMarkdown(registry).trim());
  });
});
