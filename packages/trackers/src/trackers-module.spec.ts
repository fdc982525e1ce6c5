import { Container } from 'inversify';
import { describe, expect, it } from 'vitest';
import { ComponentRegistry, SilentLogger, type BuildContext, type Tracker } from '@elbo/core';
import { trackersManifest, trackersModule } from './trackers-module.js';
import { ConsoleTracker } from './console/console-tracker.js';
import { LocalTracker } from './local/local-tracker.js';

function registry(): { container: Container; reg: ComponentRegistry } {
  const container = new Container();
  container.load(trackersModule);
  return { container, reg: ComponentRegistry.fromContainer(container) };
}

describe('trackersModule', () => {
  it('contributes tracker/local and tracker/console, each buildable with default options', async () => {
    const { container, reg } = registry();
    expect(reg.list('tracker').map((d) => d.name)).toEqual(['console', 'local']);
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
