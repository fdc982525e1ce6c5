import { z } from 'zod';
import { StandardNormalPrior, defineComponent } from '@elbo/core';

export { StandardNormalPrior };

export const standardNormalPrior = defineComponent({
  kind: 'prior',
  name: 'standard-normal',
  summary: 'p(z) = N(0, I)',
  options: z.object({}).strict(),
  create: (_o, ctx) => new StandardNormalPrior(ctx.shape!.latentDim),
});
