import { z } from 'zod';
import { tensorSizeProblem } from '@elbo/compute';
import { opt } from '../config/options.js';

/** A component section: `{ name, ...options }` or a bare name; its options are checked by the registry. */
const section = z.union([z.string(), z.looseObject({ name: z.string() })], {
  error: (i) => `expected a component section ({ name: ..., options }) or a name, got ${JSON.stringify(i.input)}`,
});

/**
 * The shape of a run config, with every default. Component sections are validated in a second
 * pass against the options schema of the component they name.
 */
export const RunConfigSchema = z
  .object({
    experiment: opt
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, { error: (i) => `expected a name of letters, digits, ".", "_" or "-", got ${JSON.stringify(i.input)}` })
      .default('default'),
    /** Human-readable run name (defaults to the run id). */
    name: opt.string().optional(),
    seed: opt.nonNegativeInt().default(0),
    backend: opt.oneOf(['auto', 'node', 'wasm', 'cpu']).default('auto'),
    /** Plugin packages to load (each exports a ContainerModule as `default` or `elboModule`). */
    plugins: z.array(opt.string()).default([]),
    /** Where run folders go: `<runs>/<experiment>/<run-id>/`. */
    runs: opt.string().default('runs'),
    data: section,
    model: z
      .object({
        latent: opt.positiveInt().default(20),
        /** For conditional models: how the condition c is made from the data (absent: unconditional). */
        condition: section.optional(),
        encoder: section,
        decoder: section,
        prior: section.default('standard-normal'),
        likelihood: section.default('bernoulli'),
        divergence: section.default('kl'),
        /** A posterior family over the encoder's Gaussian (flows, codebook, hierarchy); a bound other than the ELBO (iwae). */
        posterior: section.optional(),
        objective: section.optional(),
      })
      .strict(),
    /** The optimiser component (`adam`, `adamw`, `sgd`, `rmsprop`); a section without `name` is Adam's options. */
    optimizer: z.preprocess((v) => (v && typeof v === 'object' && !Array.isArray(v) && !('name' in v) ? { name: 'adam', ...v } : v), section).default('adam'),
    train: z
      .object({
        epochs: opt.positiveInt().default(10),
        batchSize: opt.positiveInt().default(100),
        /** Cap on optimisation steps per epoch (large datasets such as dSprites); default: the whole split. */
        stepsPerEpoch: opt.positiveInt().optional(),
        /** Multiplies the divergence by a factor over steps (KL warm-up). */
        schedule: section.default('constant'),
        /** Steps between read-backs of running losses for progress (no host sync in between). */
        readEvery: opt.positiveInt().default(20),
        /** Data-parallel worker threads on the wasm and cpu backends (1: train in the main thread). */
        workers: opt.positiveInt().default(1),
        compile: z.enum(['auto', 'graph', 'xla', 'off']).default('auto'), // steps as one compiled TensorFlow function (native backend); auto: the mode measured fastest here
        checkpointEvery: opt.positiveInt().default(1),
        /** Checkpoints the run folder keeps: the newest and those before it (`elbo train --resume <run> --from-previous`). */
        keepCheckpoints: opt.positiveInt().default(2),
      })
      .strict()
      .prefault({}),
    eval: z
      .object({
        /** Importance samples for the final IWAE estimate of −log p(x) (0: skip). */
        k: opt.nonNegativeInt().default(100),
        batchSize: opt.positiveInt().default(100),
        /** Evaluate on the first `limit` test examples (default: all). */
        limit: opt.positiveInt().optional(),
        /** Options of `metric/<name>` components for `elbo eval --metrics <name>,…`, by name. */
        metrics: z.record(z.string(), z.looseObject({})).default({}),
      })
      .strict()
      .superRefine((e, ctx) => {
        const problem = tensorSizeProblem(`the final IWAE's log-weights (eval.k × eval.batchSize)`, [e.k, Math.min(e.batchSize, e.limit ?? e.batchSize)]);
        if (problem) ctx.addIssue({ code: 'custom', path: ['k'], message: problem });
      })
      .prefault({}),
    /** Trackers by name: options object, or false to turn a default one off. */
    tracking: z.record(z.string(), z.union([z.looseObject({}), z.literal(false)])).default({ local: {}, console: {} }),
  })
  .strict();

export type RunConfigInput = z.input<typeof RunConfigSchema>;
export type RunConfigShape = z.output<typeof RunConfigSchema>;

/** A section after registry validation: `name` plus every option with its default. */
export type ResolvedSectionConfig = { name: string } & Record<string, unknown>;

/** The resolved config: all defaults filled in, every section expanded. Saved as config.yaml. */
export interface ResolvedRunConfig extends Omit<RunConfigShape, 'data' | 'model' | 'train' | 'tracking' | 'optimizer'> {
  data: ResolvedSectionConfig;
  optimizer: ResolvedSectionConfig;
  model: {
    latent: number;
    condition?: ResolvedSectionConfig;
    encoder: ResolvedSectionConfig;
    decoder: ResolvedSectionConfig;
    prior: ResolvedSectionConfig;
    likelihood: ResolvedSectionConfig;
    divergence: ResolvedSectionConfig;
    posterior?: ResolvedSectionConfig;
    objective?: ResolvedSectionConfig;
  };
  train: Omit<RunConfigShape['train'], 'schedule'> & { schedule: ResolvedSectionConfig };
  tracking: Record<string, Record<string, unknown> | false>;
}
