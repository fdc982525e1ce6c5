import { dirname, resolve } from 'node:path';
import { createContainer, loadConfig, loadPlugins, readRunConfig, resolveConfig, type ComponentRegistry, type ResolvedRunConfig } from '@elbo/core';
import type { Container } from 'inversify';
import { withOverridesBlamed } from './config/blame-overrides.js';
import { firstPartyModules } from './first-party.js';

export interface Setup {
  readonly container: Container;
  readonly registry: ComponentRegistry;
}

/** A container with the first-party modules and the given plugins. */
export async function setup(plugins: readonly string[] = []): Promise<Setup> {
  return createContainer([...firstPartyModules, ...(await loadPlugins(plugins))]);
}

/** The setup of a resolved config: first-party modules and the plugins it names. */
export async function setupForConfig(config: ResolvedRunConfig): Promise<Setup> {
  return setup(config.plugins);
}

export { workerSetup } from './first-party.js';

function pluginsOf(raw: Record<string, unknown>): string[] {
  const p = raw['plugins'];
  return Array.isArray(p) ? p.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * Loads a config file with overrides, loads its plugins, and resolves it fully. Plugin paths that
 * start with `./` or `../` are relative to the config file and saved as absolute paths, so the
 * run folder's config.yaml still finds them.
 */
export async function loadResolved(file: string, overrides: readonly string[]): Promise<Setup & { config: ResolvedRunConfig }> {
  const raw = await loadConfig(file, overrides);
  if (Array.isArray(raw['plugins'])) {
    raw['plugins'] = raw['plugins'].map((p: unknown) => (typeof p === 'string' && /^\.\.?\//.test(p) ? resolve(dirname(file), p) : p));
  }
  const s = await setup(pluginsOf(raw));
  return { ...s, config: withOverridesBlamed(file, overrides, () => resolveConfig(raw, s.registry, file)) };
}

/** Setup for an existing run folder (its saved config names its plugins). */
export async function setupForRun(runDir: string): Promise<Setup> {
  return setup(pluginsOf(await readRunConfig(runDir)));
}
