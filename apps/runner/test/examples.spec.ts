import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, resolveConfig, SilentLogger, trainRun } from '@elbo/core';
import { readMetrics } from '@elbo/trackers';
import { main } from '../src/main.js';
import { loadResolved } from '../src/setup.js';
import { repoRoot, tempDir, captureOutput } from './helpers.js';

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
    const { config, registry, container } = await loadResolved(join(examples, 'mnist-free-bits.yaml'), [
      `runs=${join(dir, 'runs')}`,
      'backend=wasm',
      'train.epochs=1',
      'data.limit={train: 1000, test: 200}',
      'eval.k=0',
      'tracking.console=false',
    ]);
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
