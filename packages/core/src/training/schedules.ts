import { z } from 'zod';
import { opt } from '../config/options.js';
import { defineComponent } from '../registry/component.js';
import type { Schedule } from '../model/interfaces.js';

/** No schedule: the divergence enters with weight 1 at every step. */
export const constantSchedule = defineComponent({
  kind: 'schedule',
  name: 'constant',
  summary: 'Divergence weight 1 throughout training',
  options: z.object({}).strict(),
  create: (): Schedule => ({ factor: () => 1, constant: true }),
});

/**
 * Linear KL warm-up (Bowman et al. 2016; Sønderby et al. 2016): the divergence weight rises
 * linearly from `from` at step 0 to 1 at step `steps`, then stays at 1. Counted in optimisation
 * steps, not epochs.
 */
export const linearWarmupSchedule = defineComponent({
  kind: 'schedule',
  name: 'linear-warmup',
  summary: 'Divergence weight rises linearly from `from` to 1 over `steps` optimisation steps',
  options: z
    .object({ steps: opt.positiveInt().default(1000).describe('optimisation steps until the weight reaches 1'), from: opt.range(0, 1).default(0).describe('weight at step 0') })
    .strict(),
  create: ({ steps, from }): Schedule => ({ factor: (step) => (step >= steps ? 1 : from + ((1 - from) * step) / steps) }),
});
