import { ContainerModule } from 'inversify';
import { z } from 'zod';
import { ComponentContribution, defineComponent, opt, type ComponentManifest } from '@elbo/core';
import { FlowKl } from './flow-posterior.js';
import { planarPosterior } from './planar-flow.js';
import { iafPosterior } from './iaf-flow.js';

/** Normalising-flow posteriors. */
export const modelsFlowsManifest: ComponentManifest = [
  planarPosterior,
  iafPosterior,
  defineComponent({
    kind: 'divergence',
    name: 'flow-kl',
    summary: 'β·KL for a flow posterior: its Gaussian base’s KL in closed form plus a one-sample correction that vanishes while the flow is the identity (Gaussian priors)',
    options: z.object({ beta: opt.nonNegative().default(1).describe('weight of the KL term (1: the ELBO)') }).strict(),
    create: (o) => new FlowKl(o.beta),
  }),
];

export const modelsFlowsModule = new ContainerModule((o) => {
  o.bind(ComponentContribution).toConstantValue(modelsFlowsManifest);
});
