import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Container } from 'inversify';
import { z } from 'zod';
import { ComponentRegistry, ParameterStore, Rng, SilentLogger, coreModule, validate, type ModelShape } from '@elbo/core';
import { selectBackend } from '@elbo/compute';
import { modelsDisentangledManifest, modelsDisentangledModule } from './models-disentangled-module.js';
import { metricComponents } from './metrics/metric-components.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const shape: ModelShape = { dataShape: [64, 64, 1], dataDim: 4096, latentDim: 4, conditionDim: 0, likelihoodParams: ['logits'], datasetSize: 1000 };

describe('modelsDisentangledModule', () => {
  it('contributes the three divergences and the metric components to a fresh container', () => {
    const container = new Container();
    container.load(modelsDisentangledModule);
    const registry = ComponentRegistry.fromContainer(container);
    expect(registry.list('divergence').map((d) => d.name)).toEqual(['beta', 'beta-tc', 'factor']);
    expect(modelsDisentangledManifest).toEqual(expect.arrayContaining([...metricComponents]));
  });

  it('builds every divergence with default options, leaving no tensors behind once disposed', async () => {
    // FactorVAE's discriminator takes its optimiser from core's components, always loaded beside a plugin.
    const container = new Container();
    container.load(coreModule, modelsDisentangledModule);
    const registry = ComponentRegistry.fromContainer(container);
    for (const d of registry.list('divergence')) {
      const id = `${d.kind}/${d.name}`;
      const r = validate(d.options, {}, id);
      expect(r.ok, `${id}: ${r.ok ? '' : r.problems.join('; ')}`).toBe(true);
      if (!r.ok) continue;
      const before = tf.memory().numTensors;
      const params = new ParameterStore(d.kind);
      const made = await d.create(r.value, { container, rng: new Rng(1), logger: new SilentLogger(), params, shape });
      expect(made, id).toBeTruthy();
      expect((made as { parameters(): ReadonlyMap<string, unknown> }).parameters().size, `${id} gives the model optimiser nothing`).toBe(0);
      params.dispose();
      (made as { dispose?: () => void }).dispose?.();
      expect(tf.memory().numTensors, `${id} leaves no tensors behind`).toBe(before);
    }
  });

  it('every component has a summary, a strict schema, and options the component reference can list', () => {
    for (const d of modelsDisentangledManifest) {
      const id = `${d.kind}/${d.name}`;
      expect(d.summary.length, id).toBeGreaterThan(10);
      expect(validate(d.options, { definitelyNotAnOption: 1 }, id).ok, `${id} must reject unknown options`).toBe(false);
      const json = z.toJSONSchema(d.options, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown> };
      expect(Object.keys(json.properties ?? {}).length, id).toBeGreaterThan(0);
    }
  });
});
