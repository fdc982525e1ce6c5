import { ContainerModule } from 'inversify';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auroc, calibrateThreshold, readThreshold, scoreExamples, writeThreshold } from '@elbo/uses';
import {
  ComponentContribution,
  createContainer,
  defineComponent,
  openRun,
  RandomStream,
  resolveConfig,
  SilentLogger,
  trainRun,
  type Dataset,
  type DataSplit,
  type OpenRun,
} from '@elbo/core';
import { InMemorySplit, loadMnist } from '@elbo/datasets';
import { firstPartyModules } from '../src/first-party.js';
import { tempDir } from './helpers.js';

/** The rows of a labelled split without one class (copied into memory). */
function withoutClass(split: DataSplit, cls: number): InMemorySplit {
  const keep = Array.from({ length: split.size }, (_, i) => i).filter((i) => split.labels![i] !== cls);
  const out = new Float32Array(keep.length * split.dim);
  split.read(keep, out);
  return new InMemorySplit(
    out,
    split.dim,
    Int32Array.from(keep, (i) => split.labels![i]!),
  );
}

/**
 * Test-only dataset: the embedded MNIST digits with one class removed from the TRAIN split (the
 * test split keeps every class, so it holds both the normal digits and the anomalies).
 */
const mnistWithout = defineComponent({
  kind: 'dataset',
  name: 'mnist-without',
  summary: 'test only: embedded MNIST, one class left out of the train split',
  options: z.object({ exclude: z.number().int().min(0).max(9), train: z.number().int().positive() }).strict(),
  create: async (o, ctx): Promise<Dataset> => {
    const ds = await loadMnist({ binarize: 'dynamic', limit: { train: o.train } }, { rng: ctx.rng, logger: ctx.logger });
    return { ...ds, train: withoutClass(ds.train, o.exclude), describe: () => `${ds.describe()}; train without ${o.exclude}` };
  },
});

/**
 * Anomaly detection on real digits: for each held-out class c, an MLP VAE (784-200-10, Bernoulli,
 * 5 epochs on the first 5,000 training digits minus the c's, WASM) is trained once; the 2,004 test
 * digits are scored, c's test digits being the anomalies (~200) and the others the normal rows.
 */
const HELD_OUT = [0, 2, 6] as const;
const runs = new Map<number, OpenRun>();
const started = performance.now();

beforeAll(async () => {
  const dir = tempDir();
  for (const c of HELD_OUT) {
    const { registry, container } = createContainer([...firstPartyModules, new ContainerModule((o) => void o.bind(ComponentContribution).toConstantValue([mnistWithout]))]);
    const raw = {
      experiment: `without-${c}`,
      seed: 3,
      backend: 'wasm',
      runs: dir,
      data: { name: 'mnist-without', exclude: c, train: 5000 },
      model: { latent: 10, encoder: { name: 'mlp', hidden: [200] }, decoder: { name: 'mlp', hidden: [200] } },
      train: { epochs: 5, batchSize: 100 },
      eval: { k: 0, limit: 200 },
      tracking: { local: {} },
    };
    const { runDir } = await trainRun({ config: resolveConfig(raw, registry), registry, container, logger: new SilentLogger() });
    runs.set(c, await openRun(runDir, { registry, container, logger: new SilentLogger() }));
  }
  console.log(`uses-anomaly: trained ${HELD_OUT.length} models in ${((performance.now() - started) / 1000).toFixed(1)} s`);
});
afterAll(() => {
  for (const r of runs.values()) r.dispose();
  console.log(`uses-anomaly: total ${((performance.now() - started) / 1000).toFixed(1)} s`);
});

describe('anomaly scores find the digit class a model never saw', () => {
  for (const c of HELD_OUT) {
    it(`held-out class ${c}: AUROC of −ELBO and of the reconstruction error`, async () => {
      const run = runs.get(c)!;
      const test = run.dataset.test;
      const anomaly = Array.from(test.labels!, (l) => l === c);
      const elbo = await scoreExamples(run.model, test, new RandomStream('score', 1), { score: 'neg-elbo' });
      const recon = await scoreExamples(run.model, test, new RandomStream('score', 1), { score: 'recon' });
      const [a, r] = [auroc(elbo, anomaly), auroc(recon, anomaly)];
      console.log(
        `anomaly: class ${c} held out — AUROC neg-elbo ${a.toFixed(3)}, recon ${r.toFixed(3)} (${anomaly.filter(Boolean).length} anomalies, ${anomaly.filter((x) => !x).length} normal)`,
      );
      // Measured here (same settings, all ten classes): neg-elbo 0.91 (0), 0.13 (1), 0.87 (2),
      // 0.73 (3), 0.65 (4), 0.70 (5), 0.78 (6), 0.57 (7), 0.73 (8), 0.48 (9). Likelihood scores
      // are known to fail for classes simpler than the training data (a 1 has few lit pixels and
      // gets a HIGH likelihood; Nalisnick et al. 2019), so these three are classes where the score
      // works. With ~200 anomalies the AUROC's standard error is ≈ 0.02; 0.7 leaves room for
      // seed and backend variation while demanding a clearly useful detector (chance is 0.5).
      expect(a).toBeGreaterThan(0.7);
      expect(r).toBeGreaterThan(0.7);
    });
  }

  it('a threshold calibrated on held-out normal digits keeps its false-positive rate on other normal digits', async () => {
    const c = HELD_OUT[0];
    const run = runs.get(c)!;
    const test = run.dataset.test;
    const scores = await scoreExamples(run.model, test, new RandomStream('score', 2), { score: 'neg-elbo' });
    const normal = Array.from({ length: test.size }, (_, i) => i).filter((i) => test.labels![i] !== c);
    const [calib, fresh] = [normal.filter((_, k) => k % 2 === 0), normal.filter((_, k) => k % 2 === 1)];
    const cal = calibrateThreshold(
      calib.map((i) => scores[i]!),
      0.05,
    );
    await writeThreshold(run.runDir, { ...cal, score: 'neg-elbo', input: 'test (even normal rows)', calibratedAt: new Date().toISOString() });
    const stored = (await readThreshold(run.runDir, 'neg-elbo'))!;
    const rate = (rows: number[]) => rows.filter((i) => scores[i]! > stored.threshold).length / rows.length;
    const anomalies = Array.from({ length: test.size }, (_, i) => i).filter((i) => test.labels![i] === c);
    const [fpr, tpr] = [rate(fresh), rate(anomalies)];
    console.log(`anomaly: class ${c}, threshold for 5% FPR — FPR on other normal digits ${(100 * fpr).toFixed(1)}%, anomalies flagged ${(100 * tpr).toFixed(1)}%`);
    // ~900 fresh normal rows: the FPR's standard error is ≈ 0.7 points, so ±3 points is ample.
    expect(Math.abs(fpr - 0.05)).toBeLessThan(0.03);
    expect(tpr).toBeGreaterThan(0.2); // measured ≈ 0.5 for class 0: far above the 5% of chance
  });
});
