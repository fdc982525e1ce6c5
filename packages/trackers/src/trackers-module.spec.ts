import { Container } from 'inversify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ComponentRegistry, ConfigError, SilentLogger, type BuildContext, type Tracker } from '@elbo/core';
import { trackersManifest, trackersModule } from './trackers-module.js';
import { ConsoleTracker } from './console/console-tracker.js';
import { LocalTracker } from './local/local-tracker.js';
import { MlflowTracker } from './mlflow/mlflow-tracker.js';

function registry(): { container: Container; reg: ComponentRegistry } {
  const container = new Container();
  container.load(trackersModule);
  return { container, reg: ComponentRegistry.fromContainer(container) };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('trackersModule', () => {
  it('contributes tracker/local, tracker/console and tracker/mlflow, each buildable with default options', async () => {
    // tracker/mlflow needs a tracking URI from somewhere; building it touches no network.
    vi.stubEnv('MLFLOW_TRACKING_URI', 'http://127.0.0.1:5000');
    const { container, reg } = registry();
    expect(reg.list('tracker').map((d) => d.name)).toEqual(['console', 'local', 'mlflow']);
    // The trackers read nothing from the build context; a minimal one will do.
    const ctx = { container, logger: new SilentLogger() } as unknown as BuildContext;
    for (const d of trackersManifest) {
      const resolved = reg.resolve('tracker', d.name, `trackers.${d.name}`);
      const t = await reg.create<Tracker>(resolved, ctx);
      expect(t.name).toBe(d.name);
    }
    const section = reg.resolve('tracker', 'console', 'trackers[0]');
    expect(section.options).toEqual({ interval: 5, bar: 'auto' });
    expect(await reg.create(section, ctx)).toBeInstanceOf(ConsoleTracker);
    expect(await reg.create(reg.resolve('tracker', { name: 'local' }, 'trackers[1]'), ctx)).toBeInstanceOf(LocalTracker);
    expect(await reg.create(reg.resolve('tracker', { name: 'mlflow', experiment: 'x' }, 'trackers[2]'), ctx)).toBeInstanceOf(MlflowTracker);
  });

  it('tracker/mlflow without a tracking URI anywhere is a config error', async () => {
    vi.stubEnv('MLFLOW_TRACKING_URI', '');
    const { container, reg } = registry();
    const ctx = { container, logger: new SilentLogger() } as unknown as BuildContext;
    await expect(async () => reg.create(reg.resolve('tracker', 'mlflow', 'tracking.mlflow'), ctx)).rejects.toThrow(ConfigError);
  });

  it('validates options with messages a researcher can act on', () => {
    const { reg } = registry();
    const bad = reg.check('tracker', { name: 'console', interval: -1, bar: 'sometimes', colour: true }, 'trackers[0]');
    expect(bad.ok).toBe(false);
    const problems = bad.ok ? [] : bad.problems.join('\n');
    expect(problems).toContain('trackers[0].interval: expected a positive number, got -1');
    expect(problems).toContain('trackers[0].bar: expected one of "auto", "always", "never", got "sometimes"');
    expect(problems).toContain('trackers[0].colour: unknown option');
    expect(reg.check('tracker', { name: 'local', dir: 'x' }, 't').ok).toBe(false);
  });
});
