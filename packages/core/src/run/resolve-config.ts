import { ConfigError } from '../config/config-error.js';
import { validate } from '../config/options.js';
import type { ComponentRegistry } from '../registry/component-registry.js';
import { RunConfigSchema, type ResolvedRunConfig, type ResolvedSectionConfig, type RunConfigShape } from './run-config.js';

/**
 * Validates a raw config completely — its shape, then every component section against the options
 * schema of the component it names — and returns it with all defaults filled in. Every problem is
 * reported at once, each with its exact path; nothing is built or written before this succeeds.
 */
export function resolveConfig(raw: unknown, registry: ComponentRegistry, source = 'config'): ResolvedRunConfig {
  const base = validate(RunConfigSchema, raw, '');
  const problems: string[] = base.ok ? [] : [...base.problems];
  const section = (kind: string, value: unknown, path: string): ResolvedSectionConfig => {
    if (value === undefined) return { name: '' }; // reported by the shape check
    const r = registry.check(kind, value, path);
    if (!r.ok) {
      // A section may already be reported by the shape check (e.g. not an object); say it once.
      if (!problems.some((q) => q.startsWith(`${path}:`))) problems.push(...r.problems);
      return { name: typeof value === 'string' ? value : String((value as { name?: unknown })?.name) };
    }
    return { name: r.value.descriptor.name, ...r.value.options };
  };
  // Sections are checked even when the shape check failed, so every problem is reported at once.
  const cfg = (base.ok ? base.value : (raw ?? {})) as RunConfigShape;
  const m = (cfg.model ?? {}) as Partial<RunConfigShape['model']>;
  const model = {
    latent: m.latent as number,
    ...(m.condition !== undefined ? { condition: section('condition', m.condition, 'model.condition') } : {}),
    encoder: section('encoder', m.encoder, 'model.encoder'),
    decoder: section('decoder', m.decoder, 'model.decoder'),
    prior: section('prior', m.prior ?? 'standard-normal', 'model.prior'),
    likelihood: section('likelihood', m.likelihood ?? 'bernoulli', 'model.likelihood'),
    divergence: section('divergence', m.divergence ?? 'kl', 'model.divergence'),
    ...(m.posterior !== undefined ? { posterior: section('posterior', m.posterior, 'model.posterior') } : {}),
    ...(m.objective !== undefined ? { objective: section('objective', m.objective, 'model.objective') } : {}),
  };
  const data = section('dataset', cfg.data, 'data');
  const schedule = section('schedule', cfg.train?.schedule ?? 'constant', 'train.schedule');
  const o = cfg.optimizer as unknown;
  const optimizer = section('optimizer', o && typeof o === 'object' && !('name' in o) ? { name: 'adam', ...o } : (o ?? 'adam'), 'optimizer');
  const tracking: Record<string, Record<string, unknown> | false> = {};
  const trackingIn = cfg.tracking && typeof cfg.tracking === 'object' ? cfg.tracking : {};
  for (const [name, options] of Object.entries(trackingIn)) {
    if (options === false) {
      tracking[name] = false;
      continue;
    }
    const { name: _n, ...rest } = section('tracker', { ...(options as object), name }, `tracking.${name}`);
    tracking[name] = rest;
  }
  if (problems.length || !base.ok) throw ConfigError.of(problems.map((p) => `${source}: ${p}`));
  return { ...base.value, data, model, optimizer, train: { ...base.value.train, schedule }, tracking };
}
