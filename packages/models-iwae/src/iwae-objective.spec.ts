import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Mlp, selectBackend } from '@elbo/compute';
import {
  BernoulliLikelihood,
  GaussianHeadEncoder,
  NO_PARAMETERS,
  ParamsHeadDecoder,
  ParameterStore,
  Rng,
  StandardNormalPrior,
  VaeModel,
  importanceWeighted,
  type Divergence,
  type ModelShape,
  type Objective,
} from '@elbo/core';
import { IwaeObjective } from './iwae-objective.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const shape: ModelShape = { dataShape: [6], dataDim: 6, latentDim: 3, conditionDim: 0, likelihoodParams: ['logits'], datasetSize: 10 };

/** The one-sample Monte-Carlo KL, log q(z|x) − log p(z): the ELBO the IWAE bound reduces to at k = 1. */
const mcKl: Divergence = {
  perExample: true,
  needs: 'density',
  parameters: () => NO_PARAMETERS,
  terms: (q, _p, z, prior) => {
    const kl = tf.mean(tf.sub(q.logProb(z), prior.logProb(z))) as tf.Scalar;
    return { total: kl, parts: { kl } };
  },
};

/** A small real model (MLP 6-8-(3+3), 3-8-6, Bernoulli) whose objective is the ELBO or `objective`. */
function model(objective?: Objective): VaeModel {
  const store = new ParameterStore();
  const init = new Rng(5).stream('init');
  const e = store.scope('encoder');
  const d = store.scope('decoder');
  const encoder = new GaussianHeadEncoder(e, new Mlp(e, 6, [8], 6, 'tanh', init));
  const decoder = new ParamsHeadDecoder(d, new Mlp(d, 3, [8], 6, 'tanh', init), ['logits']);
  return new VaeModel(shape, encoder, decoder, new StandardNormalPrior(3), new BernoulliLikelihood(), mcKl, { factor: () => 1 }, undefined, { objective });
}

const x = () => tf.tensor2d([1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 1], [4, 6]);
const ctx = { step: 0, datasetSize: 10, seed: 1234 };

describe('objective/iwae', () => {
  it('with k = 1 equals the one-sample ELBO estimate (same seed, same z)', () => {
    const [elbo, iwae] = tf.tidy(() => [model().objective(x(), undefined, ctx).loss.arraySync(), model(new IwaeObjective(1)).objective(x(), undefined, ctx).loss.arraySync()]);
    expect(Number.isFinite(elbo)).toBe(true);
    expect(iwae).toBeCloseTo(elbo, 4);
  });

  it('with k = 5 is the negative of the evaluation’s importance-weighted estimate on the same draws', () => {
    const m = model(new IwaeObjective(5));
    const [loss, estimate] = tf.tidy(() => {
      const xs = x();
      const q = m.encode(xs);
      return [m.objective(xs, undefined, ctx).loss.arraySync(), tf.mean(importanceWeighted(m, xs.shape[0], () => ({ x: xs, c: undefined, q }), 5, ctx.seed)).arraySync() as number];
    });
    expect(loss).toBeCloseTo(-estimate, 4);
  });

  it('is at least the ELBO on average over draws (the bound is tighter)', () => {
    const seeds = Array.from({ length: 20 }, (_, i) => 100 + i);
    const mean = (m: VaeModel) => tf.tidy(() => seeds.reduce((s, seed) => s + (m.objective(x(), undefined, { ...ctx, seed }).loss.arraySync() as number), 0) / seeds.length);
    expect(mean(model(new IwaeObjective(50)))).toBeLessThan(mean(model()));
  });
});
