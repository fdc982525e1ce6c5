import { describe, expect, it } from 'vitest';
import { Container } from 'inversify';
import { ComponentRegistry, ConfigError, ParameterStore, RandomStream, Rng, SilentLogger, type BuildContext } from '@elbo/core';
import { metricComponents } from './metric-components.js';
import { mig } from './mig.js';
import type { Metric } from './representation.js';
import { standardCases } from './synthetic-ground-truth.js';

const context = (container: Container): BuildContext => ({ container, rng: new Rng(1), logger: new SilentLogger(), params: new ParameterStore('metric') });

describe('metricComponents', () => {
  const registry = new ComponentRegistry([metricComponents]);

  it('lists one `metric` component per metric', () => {
    expect(registry.list('metric').map((d) => d.name)).toEqual(['betavae', 'dci', 'dci-gbt', 'factorvae', 'gaussian-tc', 'mig', 'sap']);
  });

  it('fills in the sources’ sample sizes as defaults', () => {
    expect(registry.resolve('metric', 'factorvae', 'eval.metrics[0]').options).toEqual({
      batchSize: 64,
      numTrain: 10000,
      numEval: 5000,
      numVarianceEstimate: 10000,
      pruneThreshold: 0.05,
      encodeBatch: 256,
    });
    expect(registry.resolve('metric', { name: 'mig' }, 'm').options).toEqual({ numTrain: 10000, estimator: 'histogram', bins: 20, encodeBatch: 256 });
    expect(registry.resolve('metric', 'betavae', 'm').options).toEqual({ batchSize: 64, numTrain: 10000, numEval: 5000 });
    expect(registry.resolve('metric', 'sap', 'm').options).toEqual({ numTrain: 10000, numTest: 5000, continuous: false, classifier: 'threshold', c: 0.01, encodeBatch: 256 });
    expect(registry.resolve('metric', 'dci', 'm').options).toEqual({
      numTrain: 10000,
      numTest: 5000,
      importance: 'forest',
      trees: 10,
      maxDepth: 8,
      rounds: 100,
      learningRate: 0.1,
      boostDepth: 3,
      encodeBatch: 256,
    });
    expect(registry.resolve('metric', 'dci-gbt', 'm').options).toEqual({ numTrain: 10000, numTest: 5000, rounds: 100, learningRate: 0.1, boostDepth: 3, encodeBatch: 256 });
    expect(registry.resolve('metric', 'gaussian-tc', 'm').options).toEqual({ numTrain: 10000, representation: 'mean', encodeBatch: 256 });
  });

  it('reports bad options with the config path', () => {
    expect(() => registry.resolve('metric', { name: 'mig', bins: 0, estimator: 'kde' }, 'eval.metrics[1]')).toThrow(
      new ConfigError('eval.metrics[1].estimator: expected one of "histogram", "chen", got "kde"\neval.metrics[1].bins: expected a positive integer, got 0', [
        'eval.metrics[1].estimator: expected one of "histogram", "chen", got "kde"',
        'eval.metrics[1].bins: expected a positive integer, got 0',
      ]),
    );
  });

  it('creates the metric bound to its options: same scores as calling it directly', async () => {
    const container = new Container();
    const { data, perfect } = standardCases();
    const resolved = registry.resolve('metric', { name: 'mig', numTrain: 500 }, 'm');
    const metric = await registry.create<Metric>(resolved, context(container));
    expect(await metric(perfect, data, new RandomStream('s', 4))).toEqual(await mig(perfect, data, new RandomStream('s', 4), { numTrain: 500 }));
    for (const d of metricComponents) expect(typeof (await registry.create<Metric>(registry.resolve('metric', d.name, 'm'), context(container)))).toBe('function');
  });
});
