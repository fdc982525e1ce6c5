import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { DiagonalGaussian, mulberry32, validate, type Divergence, type ModelShape, StandardNormalPrior } from '@elbo/core';
import { selectBackend } from '@elbo/compute';
import { betaTcDivergence } from './beta-tc-divergence.js';
import { decomposeKl, mssLogWeights, type TcEstimator } from './total-correlation.js';
import { createDivergence } from '../../test/create-divergence.js';

// The WASM backend: these tests push [B, B, D] tensors with B up to 512, ~10× faster than 'cpu'.
beforeAll(async () => {
  await selectBackend('wasm');
});

const D = 3;
const prior = new StandardNormalPrior(D);

function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/**
 * A batch of posteriors q(z|x_i) = N(μ_i, s²·I) whose means are drawn from N(0, Σ_μ), with
 * Σ_μ = [[1, ρ, 0], [ρ, 1, 0], [0, 0, 1]], and one code z_i ~ q(z|x_i) each. For a data set of many
 * such examples the aggregate posterior is q(z) = N(0, Σ_μ + s²·I).
 */
function batch(B: number, rho: number, s2: number, seed: number): { mu: Float32Array; logVar: Float32Array; z: Float32Array } {
  const u = mulberry32(seed);
  const mu = new Float32Array(B * D);
  const z = new Float32Array(B * D);
  for (let i = 0; i < B; i++) {
    const a = normal(u);
    const m = [a, rho * a + Math.sqrt(1 - rho * rho) * normal(u), normal(u)];
    for (let d = 0; d < D; d++) {
      mu[i * D + d] = m[d]!;
      z[i * D + d] = m[d]! + Math.sqrt(s2) * normal(u);
    }
  }
  return { mu, logVar: new Float32Array(B * D).fill(Math.log(s2)), z };
}

/** Analytic total correlation of N(0, Σ): ½ (Σ_d log Σ_dd − log det Σ), here for Σ = Σ_μ + s²·I. */
function analyticTc(rho: number, s2: number): number {
  const v = 1 + s2;
  return 0.5 * (2 * Math.log(v) - Math.log(v * v - rho * rho));
}

function posterior(b: { mu: Float32Array; logVar: Float32Array }, B: number): DiagonalGaussian {
  return new DiagonalGaussian(tf.tensor2d(b.mu, [B, D]), tf.tensor2d(b.logVar, [B, D]));
}

async function estimate(estimator: TcEstimator, B: number, rho: number, N: number, seed: number) {
  const b = batch(B, rho, 0.25, seed);
  const t = tf.tidy(() => {
    const r = decomposeKl(posterior(b, B), tf.tensor2d(b.z, [B, D]), prior, estimator, N);
    return tf.stack([r.mi, r.tc, r.dwkl]);
  });
  const [mi, tc, dwkl] = Array.from(await t.data());
  t.dispose();
  return { mi: mi!, tc: tc!, dwkl: dwkl! };
}

/** Mean tc estimate over `reps` independent batches. */
async function meanTc(estimator: TcEstimator, B: number, rho: number, N: number, reps = 4): Promise<number> {
  let s = 0;
  for (let r = 0; r < reps; r++) s += (await estimate(estimator, B, rho, N, 1000 * B + r)).tc;
  return s / reps;
}

/** Plain double-precision reference of both estimators, written from the formulas (loops, no tensors). */
function reference(b: { mu: Float32Array; logVar: Float32Array; z: Float32Array }, B: number, N: number, estimator: TcEstimator) {
  const logN = (x: number, m: number, lv: number) => -0.5 * (Math.log(2 * Math.PI) + lv + (x - m) ** 2 / Math.exp(lv));
  const lse = (v: number[]) => {
    const m = Math.max(...v);
    return m + Math.log(v.reduce((a, x) => a + Math.exp(x - m), 0));
  };
  const w = (i: number, j: number) => {
    if (estimator === 'mws') return -Math.log(B * N);
    if (i === j) return -Math.log(N);
    if (j === (i + 1) % B) return Math.log((N - B + 1) / (N * (B - 1)));
    return -Math.log(B - 1);
  };
  let mi = 0;
  let tc = 0;
  let dwkl = 0;
  for (let i = 0; i < B; i++) {
    const l = (j: number, d: number) => logN(b.z[i * D + d]!, b.mu[j * D + d]!, b.logVar[j * D + d]!);
    const js = Array.from({ length: B }, (_, j) => j);
    const dims = Array.from({ length: D }, (_, d) => d);
    const logQzx = dims.reduce((a, d) => a + l(i, d), 0);
    const logPz = dims.reduce((a, d) => a + logN(b.z[i * D + d]!, 0, 0), 0);
    const logQz = lse(js.map((j) => w(i, j) + dims.reduce((a, d) => a + l(j, d), 0)));
    const logProd = dims.reduce((a, d) => a + lse(js.map((j) => w(i, j) + l(j, d))), 0);
    mi += (logQzx - logQz) / B;
    tc += (logQz - logProd) / B;
    dwkl += (logProd - logPz) / B;
  }
  return { mi, tc, dwkl };
}

describe('total-correlation estimators (Chen et al. 2018)', () => {
  const N = 1_000_000; // a large data set: the batch's means are effectively i.i.d. draws

  for (const estimator of ['mss', 'mws'] as const) {
    // MWS's log(B·N) constant lowers every log-density by log N against the plain minibatch average,
    // so its tc sits exactly (D − 1)·log N above that average: take the offset off before comparing.
    const offset = estimator === 'mws' ? (D - 1) * Math.log(N) : 0;

    it(`${estimator}: near 0 for codes from a factorised Gaussian, closer as the batch grows`, async () => {
      const err = [];
      for (const B of [32, 128, 512]) err.push(Math.abs((await meanTc(estimator, B, 0, N)) - offset));
      // Measured: mss −0.31, −0.10, −0.04 (biased low); mws +0.27, +0.08, +0.03 (biased high).
      expect(err[2]).toBeLessThan(0.08);
      expect(err[2]).toBeLessThan(err[1]!);
      expect(err[1]).toBeLessThan(err[0]!);
    });

    it(`${estimator}: approaches the analytic TC of a correlated Gaussian as the batch grows`, async () => {
      const rho = 0.95;
      const truth = analyticTc(rho, 0.25); // 0.431 nats
      const err = [];
      for (const B of [32, 128, 512]) err.push(Math.abs((await meanTc(estimator, B, rho, N)) - offset - truth));
      // Measured: mss 0.290, 0.396, 0.416; mws (offset removed) 0.576, 0.476, 0.444.
      expect(err[2]).toBeLessThan(0.06);
      expect(err[2]).toBeLessThan(err[1]!);
      expect(err[1]).toBeLessThan(err[0]!);
    });

    it(`${estimator}: mi + tc + dwkl is the one-sample Monte-Carlo KL, exactly`, async () => {
      const B = 64;
      const b = batch(B, 0.6, 0.25, 7);
      const t = tf.tidy(() => {
        const q = posterior(b, B);
        const z = tf.tensor2d(b.z, [B, D]);
        const r = decomposeKl(q, z, prior, estimator, 5000);
        const mc = tf.mean(tf.sub(q.logProb(z), prior.logProb(z)));
        return tf.stack([tf.addN([r.mi, r.tc, r.dwkl]), mc]);
      });
      const [sum, mc] = Array.from(await t.data());
      t.dispose();
      expect(Math.abs(sum! - mc!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(mc!)));
    });

    it(`${estimator}: matches a double-precision reference of its formula (constants included)`, async () => {
      const B = 6;
      const b = batch(B, 0.8, 0.3, 11);
      const ref = reference(b, B, 1000, estimator);
      const got = tf.tidy(() => ({ ...decomposeKl(posterior(b, B), tf.tensor2d(b.z, [B, D]), prior, estimator, 1000) }));
      const [mi, tc, dwkl] = await Promise.all([got.mi.data(), got.tc.data(), got.dwkl.data()]);
      tf.dispose([got.mi, got.tc, got.dwkl]);
      expect(mi[0]).toBeCloseTo(ref.mi, 3);
      expect(tc[0]).toBeCloseTo(ref.tc, 3);
      expect(dwkl[0]).toBeCloseTo(ref.dwkl, 3);
    });
  }

  it('mws and mss are different estimators (neither path is unreachable)', async () => {
    const a = await estimate('mws', 64, 0.5, 10_000, 3);
    const b = await estimate('mss', 64, 0.5, 10_000, 3);
    expect(Math.abs(a.tc - b.tc)).toBeGreaterThan(1);
  });

  it('the stratified weights: own example 1/N, one stratum weight, 1/(B−1) elsewhere; rows sum to 1', () => {
    const B = 5;
    const N = 40;
    const w = Array.from(mssLogWeights(B, N), Math.exp);
    for (let i = 0; i < B; i++) {
      const row = w.slice(i * B, (i + 1) * B);
      expect(row.reduce((a, x) => a + x, 0)).toBeCloseTo(1, 6);
      expect(row[i]).toBeCloseTo(1 / N, 6);
      expect(row[(i + 1) % B]).toBeCloseTo((N - B + 1) / (N * (B - 1)), 6);
      for (let j = 0; j < B; j++) if (j !== i && j !== (i + 1) % B) expect(row[j]).toBeCloseTo(1 / (B - 1), 6);
    }
    expect(Array.from(mssLogWeights(2, 10), Math.exp)).toEqual([expect.closeTo(0.1, 6), expect.closeTo(0.9, 6), expect.closeTo(0.9, 6), expect.closeTo(0.1, 6)]);
  });
});

describe('divergence/beta-tc', () => {
  const shape: ModelShape = { dataShape: [4], dataDim: 4, latentDim: D, conditionDim: 0, likelihoodParams: ['logits'], datasetSize: 7 };

  const create = (options: Record<string, unknown>): Promise<Divergence> => createDivergence(betaTcDivergence, options, shape);

  async function parts(div: Divergence, B: number, N: number, seed = 5, rho = 0.5): Promise<Record<string, number>> {
    const b = batch(B, rho, 0.25, seed);
    const out = tf.tidy(() => {
      const q = posterior(b, B);
      const z = tf.tensor2d(b.z, [B, D]);
      const t = div.terms(q, prior.distribution(B), z, prior, { step: 0, datasetSize: N, seed: 1 });
      return { total: t.total, ...t.parts };
    });
    const values = Object.fromEntries(await Promise.all(Object.entries(out).map(async ([k, v]) => [k, (await v.data())[0]!] as const)));
    tf.dispose(Object.values(out));
    return values;
  }

  it('defaults: α = 1, β = 6, γ = 1, minibatch stratified sampling', () => {
    const r = validate(betaTcDivergence.options, {}, 'd');
    expect(r.ok && r.value).toEqual({ alpha: 1, beta: 6, gamma: 1, estimator: 'mss' });
    const bad = validate(betaTcDivergence.options, { estimator: 'mwss' }, 'model.divergence');
    expect(bad.ok ? [] : bad.problems).toEqual(['model.divergence.estimator: expected one of "mss", "mws", got "mwss"']);
  });

  it("N is the trainer's dataset size: parts shift by the exact log-N constants, the shape's size is not used", async () => {
    const div = await create({ estimator: 'mws' });
    const a = await parts(div, 32, 1000);
    const b = await parts(div, 32, 64_000);
    const k = Math.log(64);
    expect(b['mi']! - a['mi']!).toBeCloseTo(k, 3);
    expect(b['tc']! - a['tc']!).toBeCloseTo((D - 1) * k, 3);
    expect(b['dwkl']! - a['dwkl']!).toBeCloseTo(-D * k, 3);
    // The divergence was built with shape.datasetSize = 7; the values follow ctx.datasetSize.
    const b0 = batch(32, 0.5, 0.25, 5);
    expect(a['tc']).toBeCloseTo(reference(b0, 32, 1000, 'mws').tc, 3);
  });

  it('N is never inferred from a loss weight: the parts do not depend on α, β, γ', async () => {
    const plain = await parts(await create({ alpha: 1, beta: 1, gamma: 1 }), 32, 1000);
    const weighted = await parts(await create({ alpha: 0.5, beta: 10, gamma: 2 }), 32, 1000);
    for (const k of ['mi', 'tc', 'dwkl', 'kl']) expect(weighted[k]).toBeCloseTo(plain[k]!, 5);
    expect(weighted['total']).toBeCloseTo(0.5 * plain['mi']! + 10 * plain['tc']! + 2 * plain['dwkl']!, 3);
    // α = β = γ = 1: the total is the Monte-Carlo KL, whose expectation is the closed-form kl part.
    expect(plain['total']).toBeCloseTo(plain['mi']! + plain['tc']! + plain['dwkl']!, 4);
  });

  it('rejects a data set size that cannot be N (smaller than the batch, or a ratio)', async () => {
    const div = await create({});
    await expect(parts(div, 32, 16)).rejects.toThrow(/dataset size N must be an integer ≥ the batch size 32, got 16/);
    await expect(parts(div, 32, 32 / 1000)).rejects.toThrow(/got 0.032/);
  });

  it('a negative TC estimate is logged as is and flagged, not clamped', async () => {
    // Factorised codes, a small batch: the stratified estimate is biased low (−0.31 on average).
    const div = await create({ estimator: 'mss' });
    const p = await parts(div, 32, 1_000_000, 32_000, 0);
    expect(p['tc']).toBeLessThan(0);
    expect(p['tc_negative']).toBe(1);
    const q = await parts(div, 256, 1_000_000, 9, 0.95);
    expect(q['tc']).toBeGreaterThan(0);
    expect(q['tc_negative']).toBe(0);
  });

  it('releases every intermediate tensor', async () => {
    const div = await create({});
    await parts(div, 16, 100);
    const before = tf.memory().numTensors;
    await parts(div, 16, 100);
    expect(tf.memory().numTensors).toBe(before);
  });
});
