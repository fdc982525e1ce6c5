import type * as tf from '@tensorflow/tfjs-core';
import { splitParams } from '@elbo/compute';
import { DiagonalGaussian } from '../distributions/diagonal-gaussian.js';
import type { Condition, Decoder, DecoderOutput, Encoder } from './interfaces.js';
import type { HasParameters } from './parameters.js';

/** A network from an input (and the condition, when the model has one) to one output row per example; compute's Mlp is one. */
export interface ConditionedNetwork {
  apply(x: tf.Tensor2D, c?: Condition): tf.Tensor2D;
}

/**
 * q(z | x[, c]) = N(μ, diag exp ℓ) read from a network whose output, 2L wide, holds μ and the
 * log-variance ℓ (DiagonalGaussian.fromParams). The plain and the conditional MLP encoders are this
 * with their own network.
 */
export class GaussianHeadEncoder implements Encoder {
  constructor(
    private readonly owner: HasParameters,
    private readonly net: ConditionedNetwork,
  ) {}

  parameters() {
    return this.owner.parameters();
  }

  encode(x: tf.Tensor2D, c?: Condition): DiagonalGaussian {
    return DiagonalGaussian.fromParams(this.net.apply(x, c));
  }
}

/**
 * The network of p(x | z[, c]) whose output, D × params wide, is split in order into the parameters
 * the likelihood reads (`logits`; `mean` and `logScale`…). The plain and the conditional MLP decoders
 * are this with their own network.
 */
export class ParamsHeadDecoder implements Decoder {
  constructor(
    private readonly owner: HasParameters,
    private readonly net: ConditionedNetwork,
    readonly paramNames: readonly string[],
  ) {}

  parameters() {
    return this.owner.parameters();
  }

  decode(z: tf.Tensor2D, c?: Condition): DecoderOutput {
    return splitParams(this.net.apply(z, c), this.paramNames);
  }
}
