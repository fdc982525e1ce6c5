import { Container, type ContainerModule } from 'inversify';
import { ConfigError } from '../config/config-error.js';
import { coreModule } from '../core-module.js';
import { ComponentRegistry } from '../registry/component-registry.js';
import { nearest } from '../registry/suggest.js';

/** Imports plugin packages by name; each must export a ContainerModule as `default` or `elboModule`. */
export async function loadPlugins(names: readonly string[], from = process.cwd()): Promise<ContainerModule[]> {
  const modules: ContainerModule[] = [];
  for (const name of names) {
    let mod: Record<string, unknown>;
    try {
      const { createRequire } = await import('node:module');
      const resolved = createRequire(`${from}/`).resolve(name);
      mod = (await import(resolved)) as Record<string, unknown>;
    } catch (e) {
      throw new ConfigError(`plugins: cannot load "${name}": ${(e as Error).message.split('\n')[0]}`);
    }
    const m = mod['default'] ?? mod['elboModule'];
    if (!m || typeof (m as ContainerModule).load !== 'function') {
      const exported = Object.keys(mod);
      const hint = nearest('elboModule', exported);
      throw new ConfigError(`plugins: "${name}" exports no ContainerModule as default or elboModule${hint ? ` (found "${hint}")` : ''}`);
    }
    modules.push(m as ContainerModule);
  }
  return modules;
}

/** One container per run: core's module, the first-party modules, then plugins. */
export function createContainer(modules: readonly ContainerModule[]): { container: Container; registry: ComponentRegistry } {
  const container = new Container();
  container.load(coreModule, ...modules);
  return { container, registry: ComponentRegistry.fromContainer(container) };
}
