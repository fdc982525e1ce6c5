/**
 * An ELBO plugin in one file: the "free bits" KL of Kingma et al. (2016, "Improved Variational
 * Inference with Inverse Autoregressive Flow", appendix C.8). Each latent dimension's KL, averaged
 * over the minibatch, counts at least λ nats, so the optimiser gains nothing by pushing a
 * dimension's KL below λ — a remedy for posterior collapse:
 *
 *     Divergence = Σ_j max(λ, E_batch[KL(q(z_j|x) ‖ p(z_j))])
 *
 * Load it with `plugins: ["./plugins/free-bits/index.ts"]` (paths are relative to the config
 * file; a published package is named by its package name instead).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ContainerModule } from 'inversify';
import { z } from 'zod';
import { ComponentContribution, ConfigError, NO_PARAMETERS, defineComponent, opt, type Divergence } from '@elbo/core';

export const freeBitsDivergence = defineComponent({
  kind: 'divergence',
  name: 'free-bits',
  summary: 'KL with free bits: Σ_j max(λ, batch-mean KL_j) (Kingma et al. 2016)',
  options: z.object({ lambda: opt.nonNegative().default(0.25) }).strict(),
  create: ({ lambda }): Divergence => ({
    parameters: () => NO_PARAMETERS,
    terms(q, p) {
      if (!p) throw new ConfigError('model.divergence: "free-bits" needs a Gaussian prior');
      const perDim = tf.mean(q.klPerDim(p), 0);
      return {
        total: tf.sum(tf.maximum(perDim, lambda)) as tf.Scalar,
        parts: { kl: tf.sum(perDim) as tf.Scalar },
      };
    },
  }),
});

/** The plugin's single ContainerModule, found by the runner as the default export. */
export default new ContainerModule((o) => {
  o.bind(ComponentContribution).toConstantValue([freeBitsDivergence]);
});
