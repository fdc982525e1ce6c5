import { describe, expect, it } from 'vitest';
import { loadConfig, resolveConfig, SilentLogger, trainRun } from '@elbo/core';
import { main } from '../src/main.js';
import { setup } from '../src/setup.js';
import { captureOutput, tempDir, writeConfig } from './helpers.js';

const output = captureOutput();

/**
 * Each model family trains a few steps of the embedded MNIST (WASM) from its
 * components as a config names them (MLP 784-64-8 here), and its training loss falls from the first epoch to the last.
 */
const families: [string, Record<string, unknown>][] = [
  ['IWAE (k = 5)', { objective: { name: 'iwae', k: 5 }, divergence: 'mc-kl' }],
  ['VampPrior', { prior: { name: 'vamp', pseudoInputs: 20 }, divergence: 'mc-kl' }],
  ['IAF posterior', { posterior: { name: 'iaf', steps: 2, hidden: 16 }, divergence: 'flow-kl' }],
  ['planar-flow posterior', { posterior: { name: 'planar', steps: 4 }, divergence: 'mc-kl' }],
  ['VQ-VAE (EMA codebook, learned prior)', { posterior: { name: 'vq', codes: 16, dim: 2, ema: 0.9 }, prior: { name: 'codebook', learned: true }, divergence: 'vq' }],
  ['two stochastic layers', { posterior: { name: 'two-layer', top: 4, hidden: [32] }, prior: 'two-layer', divergence: 'mc-kl' }],
];

describe('model families train from a config', () => {
  const dir = tempDir();
  for (const [name, model] of families) {
    it(`${name}: the training loss falls and the held-out bounds are finite`, async () => {
      const file = writeConfig(dir, {
        model: { latent: 8, encoder: { name: 'mlp', hidden: [64] }, decoder: { name: 'mlp', hidden: [64] }, ...model },
        train: { epochs: 3, batchSize: 50, stepsPerEpoch: 8 },
        eval: { k: 5, limit: 50, batchSize: 50 },
        tracking: { local: {} },
      });
      const { registry, container } = await setup();
      const config = resolveConfig(await loadConfig(file), registry, file);
      const run = await trainRun({ config, registry, container, logger: new SilentLogger() });
      const loss = run.history.filter((p) => p.key === 'train/loss').map((p) => p.value);
      expect(loss).toHaveLength(3);
      expect(loss[2]!).toBeLessThan(loss[0]! - 20);
      expect(Number.isFinite(run.evaluation!.negElbo)).toBe(true);
      expect(run.evaluation!.iwae!).toBeLessThanOrEqual(run.evaluation!.negElbo + 1);
    });
  }
});

describe('parts that do not fit together', () => {
  it('a codebook latent with the closed-form KL: exit 2, naming both parts', async () => {
    const dir = tempDir();
    const file = writeConfig(dir, {
      model: { latent: 4, encoder: { name: 'mlp', hidden: [8] }, decoder: { name: 'mlp', hidden: [8] }, posterior: { name: 'vq', dim: 2 }, divergence: 'kl' },
    });
    const code = await main(['train', file, '--set', 'train.epochs=1']);
    expect(code).toBe(2);
    expect(output.err).toContain(`model.divergence: "kl" needs a posterior with 'gaussian'; model.posterior "vq" offers 'codebook'`);
    expect(output.err).not.toMatch(/\n\s+at /);
  });

  it('the flow KL with a posterior that is not a flow, or with a prior that is not Gaussian: exit 2, naming both parts', async () => {
    const dir = tempDir();
    const small = { latent: 4, encoder: { name: 'mlp', hidden: [8] }, decoder: { name: 'mlp', hidden: [8] }, divergence: 'flow-kl' };
    const notFlow = writeConfig(dir, { model: { ...small, posterior: { name: 'two-layer', top: 2 } } }, 'not-flow.yaml');
    expect(await main(['train', notFlow, '--set', 'train.epochs=1'])).toBe(2);
    expect(output.err).toContain(`model.divergence: "flow-kl" needs a posterior with 'flow'; model.posterior "two-layer" offers 'density'`);
    const vamp = writeConfig(
      dir,
      {
        model: { ...small, posterior: { name: 'planar' }, prior: { name: 'vamp', pseudoInputs: 2 } },
        data: { name: 'mnist', binarize: 'dynamic', limit: { train: 100, test: 20 } },
      },
      'vamp.yaml',
    );
    expect(await main(['train', vamp, '--set', 'train.epochs=1'])).toBe(2);
    expect(output.err).toContain('model.divergence: "flow-kl" needs a Gaussian prior');
    expect(output.err).not.toMatch(/\n\s+at /);
  });

  it('a closed-form KL with a posterior that has only a density: exit 2, naming both parts', async () => {
    const dir = tempDir();
    const file = writeConfig(dir, { model: { latent: 4, encoder: { name: 'mlp', hidden: [8] }, decoder: { name: 'mlp', hidden: [8] }, posterior: { name: 'two-layer', top: 2 } } });
    const code = await main(['train', file, '--set', 'train.epochs=1']);
    expect(code).toBe(2);
    expect(output.err).toContain(`model.divergence: "kl" needs a posterior with 'gaussian'; model.posterior "two-layer" offers 'density'`);
    expect(output.err).not.toMatch(/\n\s+at /);
  });
});
