import type { z } from 'zod';
import { TensorSizeError } from '@elbo/compute';
import { ConfigError } from '../config/config-error.js';
import type { ComponentDescriptor, ComponentKind, ModelShape } from '../registry/component.js';
import type { RandomStream } from '../runtime/rng.js';
import type { ParameterStore } from './parameters.js';

/** A network component as its package writes it: a component whose factory builds trainable layers. */
export interface NetworkDescriptor<T, S extends z.ZodType> {
  readonly kind: ComponentKind;
  readonly name: string;
  readonly summary: string;
  readonly options: S;
  /** Builds the network for the model's shapes into `params`, its initial weights drawn from `init`. */
  build(options: z.output<S>, shape: ModelShape, params: ParameterStore, init: RandomStream): T;
}

/**
 * A model component with trainable weights (an encoder, a decoder, a learned prior). Its factory gets
 * the model's shapes, the store that names its variables (`encoder/hidden0/kernel`…) and the seeded
 * stream `init/<kind>` its initial weights come from: one stream per kind, so a seeded run's weights
 * do not depend on the order the components are built in.
 */
export function defineNetwork<T, S extends z.ZodType>(d: NetworkDescriptor<T, S>): ComponentDescriptor<T, S> {
  const { build, ...descriptor } = d;
  return {
    ...descriptor,
    create: (o, ctx) => {
      if (!ctx.shape) throw new Error(`${d.kind}/${d.name} is built with the model's shapes (BuildContext.shape)`);
      try {
        return build(o, ctx.shape, ctx.params, ctx.rng.stream(`init/${d.kind}`));
      } catch (e) {
        if (!(e instanceof TensorSizeError)) throw e;
        throw new ConfigError(`model.${d.kind}: ${e.message} — check model.latent (${ctx.shape.latentDim}) and model.${d.kind}'s sizes (data: ${ctx.shape.dataDim} values)`);
      }
    },
  };
}
