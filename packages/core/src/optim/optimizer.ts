import type { Optimizer as OptimizerInterface } from '@elbo/compute';

/** An optimiser over named parameters (compute's interface; core binds the run's factory to this token). */
export type Optimizer = OptimizerInterface;
/** The run's `OptimizerFactory`, built from `config.optimizer`. */
export const Optimizer = Symbol('Optimizer');
