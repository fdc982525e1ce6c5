import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, resolveConfig, SilentLogger, trainRun } from '@elbo/core';
import { readMetrics } from '@elbo/trackers';
import { main } from '../src/main.js';
import { setup } from '../src/setup.js';
import { tempDir, writeConfig, captureOutput } from './helpers.js';

const dir = tempDir();
let runDir = '';

beforeAll(async () => {
  const file = writeConfig(dir, {
    data: { name: 'dsprites', source: 'generator', trainSize: 2000, testSize: 200 },
    model: { latent: 6, encoder: { name: 'mlp', hidden: [128] }, decoder: { name: 'mlp', hidden: [128] }, divergence: { name: 'beta', beta: 4 } },
    train: { epochs: 1, batchSize: 100 },
    eval: { k: 0, metrics: { mig: { numTrain: 1000 }, 'gaussian-tc': { numTrain: 1000 }, sap: { numTrain: 500, numTest: 200 } } },
  });
  const { registry, container } = await setup();
  const config = resolveConfig(await loadConfig(file), registry, file);
  runDir = (await trainRun({ config, registry, container, logger: new SilentLogger() })).runDir;
});

const output = captureOutput();

describe('elbo eval --metrics', () => {
  it('computes disentanglement metrics on dSprites and adds them to the run record', async () => {
    expect(await main(['eval', runDir, '--k', '0', '--metrics', 'mig,gaussian-tc,sap', '--json'])).toBe(0);
    const result = JSON.parse(output.out.trim().split('\n').pop()!) as { metrics: Record<string, number> };
    expect(result.metrics['mig/mig']).toBeGreaterThanOrEqual(0);
    expect(result.metrics['mig/mig']).toBeLessThanOrEqual(1);
    expect(result.metrics['gaussian-tc/gaussian_total_correlation']).toBeGreaterThanOrEqual(0);
    expect(result.metrics['sap/sap']).toBeGreaterThanOrEqual(0);
    const keys = readMetrics(runDir).map((m) => m.key);
    expect(keys).toContain('mig/mig');
    expect(keys).toContain('train/loss'); // the earlier history is kept
    expect(keys).toContain('final/active_units');
  });

  it('an unknown metric fails before computing anything', async () => {
    expect(await main(['eval', runDir, '--k', '0', '--metrics', 'migg'])).toBe(2);
    expect(output.err).toContain('unknown metric "migg" — did you mean "mig"?');
  });

  it('metrics need ground-truth factors', async () => {
    const mnist = join(dir, 'mnist.yaml');
    writeConfig(dir, { train: { epochs: 1 }, data: { name: 'mnist', limit: { train: 200, test: 50 } }, eval: { k: 0 } }, 'mnist.yaml');
    const { registry, container } = await setup();
    const config = resolveConfig(await loadConfig(mnist), registry, mnist);
    const r = await trainRun({ config, registry, container, logger: new SilentLogger() });
    expect(await main(['eval', r.runDir, '--k', '0', '--metrics', 'mig'])).toBe(2);
    expect(output.err).toContain('need a dataset with ground-truth factors');
  });
});
