import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContainerModule } from 'inversify';
import { createContainer, InProcessStrategy, Likelihood, loadConfig, resolveConfig, RunModule, SilentLogger, TrainingStrategy, trainRun, type Tracker } from '@elbo/core';
import { firstPartyModules } from '../src/first-party.js';
import { readMetrics } from '@elbo/trackers';
import { main } from '../src/main.js';
import { loadResolved } from '../src/setup.js';
import { repoRoot, quickRun, tempDir, captureOutput } from './helpers.js';

const examples = join(repoRoot, 'examples');

describe('examples/', () => {
  captureOutput(); // keep validate's printing out of the test report

  // Sweep files are checked by sweep-expand.spec.ts (a dry run of examples/sweep-beta.yaml).
  for (const file of readdirSync(examples).filter((f) => f.endsWith('.yaml') && !f.startsWith('sweep-'))) {
    it(`${file} is a valid config`, async () => {
      expect(await main(['validate', join(examples, file)])).toBe(0);
    });
  }

  it('a plugin named in a config contributes its component, and a run trains with it', async () => {
    const dir = tempDir();
    const { config, registry, container } = await loadResolved(join(examples, 'mnist-free-bits.yaml'), quickRun(dir, 1, '{train: 1000, test: 200}'));
    expect(registry.has('divergence', 'free-bits')).toBe(true);
    expect(config.model.divergence).toEqual({ name: 'free-bits', lambda: 0.25 });
    const run = await trainRun({ config, registry, container, logger: new SilentLogger() });
    expect(run.status).toBe('FINISHED');
    const kl = readMetrics(run.runDir).find((m) => m.key === 'train/kl');
    expect(kl?.value).toBeGreaterThan(0);
    // The saved config finds the plugin again from the run folder alone.
    const saved = resolveConfig(await loadConfig(join(run.runDir, 'config.yaml')), registry);
    expect(saved.plugins[0]).toBe(join(examples, 'plugins', 'free-bits', 'index.ts'));
  });
});

describe('run modules: a plugin changes the services of a run', () => {
  it('examples/plugins/epoch-timer adds a trainer callback and decorates the trackers', async () => {
    const dir = tempDir();
    const { config, registry, container } = await loadResolved(join(examples, 'mnist-epoch-timer.yaml'), quickRun(dir, 2, '{train: 1000, test: 100}', ['train.stepsPerEpoch=5']));
    const messages: string[] = [];
    const listener: Tracker = {
      name: 'listener',
      start: async () => {},
      logParams: async () => {},
      logMetrics: async () => {},
      logArtifact: async () => {},
      finish: async () => {},
      message: (m) => messages.push(m),
    };
    const run = await trainRun({ config, registry, container, logger: new SilentLogger(), trackers: [listener] });
    expect(run.status).toBe('FINISHED');
    const times = readMetrics(run.runDir).filter((m) => m.key === 'train/epoch_seconds');
    expect(times.map((m) => m.step)).toEqual([1, 2]);
    for (const t of times) expect(t.value).toBeGreaterThan(0);
    expect(messages.find((m) => m.startsWith('held-out'))).toMatch(/; trained in \d+\.\d s$/);
  });

  it('a run module can decorate a model component and rebind the training strategy', async () => {
    const dir = tempDir();
    let likelihoodCalls = 0;
    const epochs: number[] = [];
    const runModule = new ContainerModule(({ onActivation, rebind }) => {
      onActivation<Likelihood>(Likelihood, (_ctx, l) => {
        const logProb = l.logProb.bind(l);
        l.logProb = (x, out) => (likelihoodCalls++, logProb(x, out));
        return l;
      });
      const inner = new InProcessStrategy();
      rebind<TrainingStrategy>(TrainingStrategy).toConstantValue({
        name: 'counting',
        runEpoch: (t, e, s, on, sig) => (epochs.push(e), inner.runEpoch(t, e, s, on, sig)),
        dispose: () => inner.dispose(),
      });
    });
    const plugin = new ContainerModule(({ bind }) => {
      bind(RunModule).toConstantValue(runModule);
    });
    const { config } = await loadResolved(join(examples, 'mnist-vae.yaml'), quickRun(dir, 2, '{train: 500, test: 100}', ['train.stepsPerEpoch=3']));
    const { container, registry } = createContainer([...firstPartyModules, plugin]);
    const run = await trainRun({ config, registry, container, logger: new SilentLogger() });
    expect(run.status).toBe('FINISHED');
    expect(epochs).toEqual([1, 2]);
    expect(likelihoodCalls).toBeGreaterThanOrEqual(6); // every training step goes through the wrapped likelihood
  });
});
