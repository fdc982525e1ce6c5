import { describe, expect, it } from 'vitest';
import { Container } from 'inversify';
import { ComponentRegistry, ConfigError, ParameterStore, Rng, SilentLogger, type BuildContext, type Dataset } from '@elbo/core';
import { datasetsModule, datasetsManifest } from './datasets-module.js';

function context(container: Container): BuildContext {
  return { container, rng: new Rng(11), logger: new SilentLogger(), params: new ParameterStore('dataset') };
}

describe('datasetsModule', () => {
  it('contributes its datasets to a fresh container', () => {
    const container = new Container();
    container.load(datasetsModule);
    const registry = ComponentRegistry.fromContainer(container);
    expect(registry.list('dataset').map((d) => d.name)).toEqual(['csv', 'dsprites', 'idx', 'mnist']);
    expect(datasetsManifest.every((d) => d.kind === 'dataset' && d.summary.length > 0)).toBe(true);
  });

  it('builds dataset/mnist from a config section with defaults filled in', async () => {
    const container = new Container();
    container.load(datasetsModule);
    const registry = ComponentRegistry.fromContainer(container);
    const resolved = registry.resolve('dataset', { name: 'mnist', limit: { train: 50, test: 20 } }, 'dataset');
    expect(resolved.options).toEqual({ binarize: 'dynamic', limit: { train: 50, test: 20 } });
    const d = await registry.create<Dataset>(resolved, context(container));
    expect([d.name, d.train.size, d.test.size, d.trainTransform?.name]).toEqual(['mnist', 50, 20, 'binarize/dynamic']);
  });

  it('reports option problems with the config path', () => {
    const registry = new ComponentRegistry([datasetsManifest]);
    expect(() => registry.resolve('dataset', { name: 'mnist', limit: { train: -3 } }, 'dataset')).toThrow(
      new ConfigError('dataset.limit.train: expected a positive integer, got -3'),
    );
    expect(() => registry.resolve('dataset', { name: 'idx' }, 'dataset')).toThrow(/^dataset: give `dir`/);
  });
});
