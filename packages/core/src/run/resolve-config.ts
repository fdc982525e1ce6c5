import { ConfigError } from '../config/config-error.js';
import { validate } from '../config/options.js';
import type { ComponentRegistry } from '../registry/component-registry.js';
import { RunConfigSchema, type ResolvedRunConfig, type ResolvedSectionConfig } from './run-config.js';

/**
 * Validates a raw config completely — its shape, then every component section against the options
 * schema of the component it names — and returns it with all defaults filled in. Every problem is
 * reported at once, each with its exact path; nothing is built or written before this succeeds.
 */
export function resolveConfig(raw: unknown, registry: ComponentRegistry, source = 'config'): ResolvedRunConfig {
  const base = validate(RunConfigSchema, raw, '');
  if (!base.ok) throw ConfigError.of(base.problems.map((p) => `${source}: ${p}`));
  const cfg = base.value;
  const problems: string[] = [];
  const section = (kind: string, value: unknown, path: string): ResolvedSectionConfig => {
    const r = registry.check(kind, value, path);
    if (!r.ok) {
      problems.push(...r.problems);
      return { name: typeof value === 'string' ? value : String((value as { name?: unknown })?.name) };
    }
    return { name: r.value.descriptor.name, ...r.value.options };
  };
  const model = {
    latent: cfg.model.latent,
    encoder: section('encoder', cfg.model.encoder, 'model.encoder'),
    decoder: section('decoder', cfg.model.decoder, 'model.decoder'),
    prior: section('prior', cfg.model.prior, 'model.prior'),
    likelihood: section('likelihood', cfg.model.likelihood, 'model.likelihood'),
    divergence: section('divergence', cfg.model.divergence, 'model.divergence'),
  };
  const data = section('dataset', cfg.data, 'data');
  const schedule = section('schedule', cfg.train.schedule, 'train.schedule');
  const tracking: Record<string, Record<string, unknown> | false> = {};
  for (const [name, options] of Object.entries(cfg.tracking)) {
    if (options === false) {
      tracking[name] = false;
      continue;
    }
    const { name: _n, ...rest } = section('tracker', { ...options, name }, `tracking.${name}`);
    tracking[name] = rest;
  }
  if (problems.length) throw ConfigError.of(problems.map((p) => `${source}: ${p}`));
  return { ...cfg, data, model, train: { ...cfg.train, schedule }, tracking };
}
