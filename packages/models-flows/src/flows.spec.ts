import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@elbo/compute';
import { DiagonalGaussian, ParameterStore, Rng, StandardNormalPrior } from '@elbo/core';
import { FlowFamily, FlowKl, FlowPosterior, type FlowStep } from './flow-posterior.js';
import { PlanarStep } from './planar-flow.js';
import { IafStep } from './iaf-flow.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const L = 3;

/** Determinant of a small square matrix by Gaussian elimination with partial pivoting (double precision). */
function det(m: number[][]): number {
  const a = m.map((r) => [...r]);
  let d = 1;
  for (let c = 0; c < a.length; c++) {
    let p = c;
    for (let r = c + 1; r < a.length; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    if (p !== c) [a[p], a[c], d] = [a[c]!, a[p]!, -d];
    d *= a[c]![c]!;
    for (let r = c + 1; r < a.length; r++) {
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k < a.length; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return d;
}

/** log |det ∂f/∂z| at z by central differences (h = 1e-2; f is smooth, float32 rounding stays ≪ 1e-3). */
function numericalLogDet(step: FlowStep, z: number[], context?: number[]): number {
  const h = 1e-2;
  const f = (v: number[]) => tf.tidy(() => Array.from(step.forward(tf.tensor2d([v]), context && tf.tensor2d([context])).z.dataSync()));
  const jac = z.map((_, j) => {
    const up = f(z.map((v, i) => (i === j ? v + h : v)));
    const down = f(z.map((v, i) => (i === j ? v - h : v)));
    return up.map((u, i) => (u - down[i]!) / (2 * h)); // column j
  });
  return Math.log(Math.abs(det(jac[0]!.map((_, i) => jac.map((col) => col[i]!))))); // rows i, columns j
}

const points = [
  [0.3, -1.1, 0.8],
  [-2, 0.5, 1.7],
  [0.05, 0.02, -0.4],
];

function check(step: FlowStep, context?: number[]) {
  for (const z of points) {
    const analytic = tf.tidy(() => step.forward(tf.tensor2d([z]), context && tf.tensor2d([context])).logDet.dataSync()[0]!);
    expect(Math.abs(analytic)).toBeGreaterThan(1e-3); // not the identity: the check means something
    expect(analytic).toBeCloseTo(numericalLogDet(step, z, context), 3);
  }
}

describe('flow steps: the log-determinant equals the numerical Jacobian’s', () => {
  it('planar (with û keeping the step invertible)', () => {
    const store = new ParameterStore('posterior');
    const step = new PlanarStep(store, 'step0', L, new Rng(3).stream('init'));
    // Larger than the initial values, so tanh bends: u, w of norm ~1.5, b = 0.3.
    step.u.assign(tf.tensor2d([[1.2], [-0.7], [0.5]]));
    step.w.assign(tf.tensor2d([[0.9], [0.8], [-1.1]]));
    step.b.assign(tf.tensor1d([0.3]));
    check(step);
    // wᵀu < −1 would make f non-invertible; û moves it back to wᵀû ≥ −1.
    step.u.assign(tf.tensor2d([[-3], [-2], [1]]));
    const wu = tf.tidy(() => tf.sum(tf.mul(step.w, step.uHat())).dataSync()[0]!);
    expect(wu).toBeGreaterThanOrEqual(-1);
    check(step);
    store.dispose();
  });

  it('IAF, both forms, in both variable orders (MADE masks give a triangular Jacobian)', () => {
    const store = new ParameterStore('posterior');
    const init = new Rng(4).stream('init');
    // The affine form starts as the identity (zero heads): move its heads away first, so the check means something.
    const trained = (step: IafStep, name: string) => {
      for (const [key, v] of store.parameters())
        if (key.startsWith(`posterior/${name}/`) && /\/(m|s)\//.test(key)) v.assign(tf.randomUniform(v.shape, -0.5, 0.5, 'float32', init.nextSeed()));
      return step;
    };
    for (const form of ['affine', 'gated'] as const)
      for (const order of [
        [1, 2, 3],
        [3, 2, 1],
      ]) {
        const name = `${form}${order[0]}`;
        check(trained(new IafStep(store, name, order, 16, 'elu', init, 0, form), name));
      }
    // Amortised: the hidden layer also reads a per-row context (q₀'s μ and log σ²), which does not depend on z.
    check(trained(new IafStep(store, 'amortised', [1, 2, 3], 16, 'elu', init, 6), 'amortised'), [0.5, -0.3, 1.2, -1, -0.5, 0.2]);
    store.dispose();
  });

  it('an affine IAF step starts as the identity', () => {
    const store = new ParameterStore('posterior');
    const step = new IafStep(store, 'step0', [1, 2, 3], 16, 'elu', new Rng(6).stream('init'));
    tf.tidy(() => {
      const out = step.forward(tf.tensor2d(points));
      expect(Array.from(out.z.dataSync())).toEqual(points.flat().map((v) => expect.closeTo(v, 6)));
      expect(Array.from(out.logDet.dataSync())).toEqual([0, 0, 0].map((v) => expect.closeTo(v, 6)));
    });
    store.dispose();
  });
});

describe('a flow posterior', () => {
  it('gives log q₀(z₀) − Σ log|det| for the samples it drew, and refuses any other z', () => {
    const store = new ParameterStore('posterior');
    const init = new Rng(5).stream('init');
    const steps = [new PlanarStep(store, 'step0', L, init), new IafStep(store, 'step1', [1, 2, 3], 8, 'elu', init)];
    const family = new FlowFamily(store, steps);
    tf.tidy(() => {
      const base = new DiagonalGaussian(tf.tensor2d([[0.1, -0.2, 0.3]]), tf.tensor2d([[-1, -0.5, 0]]));
      const q = family.posterior(base);
      const z = q.rsample(17);
      const z0 = base.rsample(17); // the same ε
      let expected = base.logProb(z0);
      let cur = z0;
      for (const s of steps) {
        const o = s.forward(cur);
        expected = tf.sub(expected, o.logDet);
        cur = o.z;
      }
      expect(Array.from(z.dataSync())).toEqual(Array.from(cur.dataSync()).map((v) => expect.closeTo(v, 5)));
      expect(q.logProb(z).dataSync()[0]).toBeCloseTo(expected.dataSync()[0]!, 4);
      const zk = q.rsampleK(4, 9);
      expect(q.logProb(zk).shape).toEqual([4, 1]);
      expect(() => q.logProb(tf.clone(z))).toThrow(/only for the samples it drew/);
    });
    store.dispose();
  });
});

describe('divergence/flow-kl', () => {
  const prior = new StandardNormalPrior(L);
  const ctx = { step: 0, datasetSize: 1, seed: 0 };
  const rows = 20000;
  /** q₀ for `rows` copies of one example, its flow posterior, a sample, and both estimators' per-sample terms. */
  function estimates(steps: FlowStep[], store: ParameterStore) {
    const base = new DiagonalGaussian(tf.tile(tf.tensor2d([[0.4, -0.8, 0.2]]), [rows, 1]) as tf.Tensor2D, tf.tile(tf.tensor2d([[-1.2, -0.3, 0.1]]), [rows, 1]) as tf.Tensor2D);
    const q = new FlowFamily(store, steps).posterior(base) as FlowPosterior;
    const z = q.rsample(23);
    const flow = new FlowKl(1).terms(q, prior.distribution(rows), z, prior, ctx).parts.kl!.dataSync()[0]!;
    const mcSamples = tf.sub(q.logProb(z), prior.logProb(z));
    const [mean, variance] = [tf.mean(mcSamples), tf.moments(mcSamples).variance].map((t) => t.dataSync()[0]!);
    return { flow, mc: mean!, mcVariance: variance!, closed: tf.mean(tf.sum(base.klPerDim(prior.distribution(rows)), 1)).dataSync()[0]! };
  }

  it('equals the closed-form KL sample by sample while the flow is the identity', () => {
    const store = new ParameterStore('posterior');
    const steps = [0, 1].map((i) => new IafStep(store, `step${i}`, i ? [3, 2, 1] : [1, 2, 3], 8, 'elu', new Rng(7).stream('init')));
    tf.tidy(() => {
      const e = estimates(steps, store);
      expect(e.flow).toBeCloseTo(e.closed, 4);
      expect(e.mcVariance).toBeGreaterThan(0.1); // the Monte-Carlo KL's samples vary; flow-kl's do not
    });
    store.dispose();
  });

  it('agrees with the Monte-Carlo KL in expectation for a flow away from the identity', () => {
    const store = new ParameterStore('posterior');
    const init = new Rng(8).stream('init');
    const steps = [new PlanarStep(store, 'p0', L, init), new IafStep(store, 'i1', [1, 2, 3], 8, 'elu', init, 0, 'gated')];
    tf.tidy(() => {
      const e = estimates(steps, store);
      expect(Math.abs(e.flow - e.closed)).toBeGreaterThan(0.05); // the flow changes the KL: the correction is not zero
      expect(e.flow).toBeCloseTo(e.mc, 1); // two unbiased one-sample estimators of KL(q_T‖p) over 20,000 draws: standard error ≈ 0.01
    });
    store.dispose();
  });

  it('refuses a posterior that is not a flow, naming the divergence', () => {
    tf.tidy(() => {
      const q = new DiagonalGaussian(tf.zeros([2, L]), tf.zeros([2, L]));
      expect(() => new FlowKl(1).terms(q, prior.distribution(2), q.rsample(1), prior, ctx)).toThrow(/"flow-kl" needs a flow posterior/);
    });
  });
});
