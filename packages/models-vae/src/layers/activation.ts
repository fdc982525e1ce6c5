import { ACTIVATIONS, opt, type Activation } from '@elbo/core';

/** The `activation` option of the networks: one of core's activations. */
export const activationOption = () => opt.oneOf(ACTIVATIONS as unknown as [Activation, ...Activation[]]);
export type { Activation };
