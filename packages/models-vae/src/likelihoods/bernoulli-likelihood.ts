import { z } from 'zod';
import { BernoulliLikelihood, defineComponent } from '@elbo/core';

export { BernoulliLikelihood };

export const bernoulliLikelihood = defineComponent({
  kind: 'likelihood',
  name: 'bernoulli',
  summary: 'Bernoulli on logits, for binary data',
  options: z.object({}).strict(),
  create: () => new BernoulliLikelihood(),
});
