import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { ContainerModule } from 'inversify';
import { z } from 'zod';
import {
  ComponentContribution,
  SilentLogger,
  createContainer,
  defineComponent,
  loadCheckpoint,
  mulberry32,
  resolveConfig,
  trainRun,
  type Dataset,
  type DataSplit,
  type MetricPoint,
} from '@elbo/core';
import { modelsVaeModule } from '@elbo/models-vae';
import { modelsDisentangledModule } from '@elbo/models-disentangled';
import { usesModule } from '@elbo/uses';
import { TensorCounter } from './helpers.js';

/**
 * 8×8 binary images of one horizontal and one vertical bar at random positions: two independent
 * generative factors, 640 training and 128 test images, generated from a fixed seed.
 */
function bars(): Dataset {
  const S = 8;
  const make = (n: number, seed: number): DataSplit => {
    const u = mulberry32(seed);
    const data = new Float32Array(n * S * S);
    for (let i = 0; i < n; i++) {
      const r = Math.floor(u() * S);
      const c = Math.floor(u() * S);
      for (let k = 0; k < S; k++) {
        data[i * S * S + r * S + k] = 1;
        data[i * S * S + k * S + c] = 1;
      }
    }
    return { size: n, dim: S * S, read: (idx, out) => Array.from(idx).forEach((j, k) => out.set(data.subarray(j * S * S, (j + 1) * S * S), k * S * S)) };
  };
  return { name: 'bars', shape: [S, S, 1], support: 'binary', train: make(640, 1), test: make(128, 2), describe: () => 'bars: 640 train / 128 test 8×8 images' };
}

const barsDataset = defineComponent({ kind: 'dataset', name: 'bars', summary: 'two random bars on 8×8 (test data)', options: z.object({}).strict(), create: () => bars() });
const testModule = new ContainerModule((o) => {
  o.bind(ComponentContribution).toConstantValue([barsDataset]);
});

async function trainWith(divergence: Record<string, unknown>, epochs = 3) {
  const { registry, container } = createContainer([usesModule, modelsVaeModule, modelsDisentangledModule, testModule]);
  const raw = {
    experiment: 'disentangled-test',
    seed: 5,
    backend: 'wasm',
    runs: join(mkdtempSync(join(tmpdir(), 'elbo-disentangled-')), 'runs'),
    data: 'bars',
    model: { latent: 4, encoder: { name: 'mlp', hidden: [32] }, decoder: { name: 'mlp', hidden: [32] }, divergence },
    train: { epochs, batchSize: 32, readEvery: 5 },
    eval: { k: 0, limit: 64 },
    tracking: {},
  };
  const config = resolveConfig(raw, registry);
  const counter = new TensorCounter();
  const run = await trainRun({ config, registry, container, logger: new SilentLogger(), trackers: [counter] });
  const train = new Map(run.history.filter((p) => p.key.startsWith('train/')).map((p) => [`${p.key}@${p.step}`, p.value]));
  return { run, counter, train, config, registry, container };
}

/** The metric history without wall-clock times. */
const comparable = (h: readonly MetricPoint[]) => h.map((p) => `${p.key}@${p.step}=${p.value}`);

/** 3 epochs × 20 steps of a 64-32-4 MLP VAE on the WASM backend, through core's trainRun. */
describe("the disentangling divergences train through core's trainer (60 steps each, WASM)", () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    ['beta', { name: 'beta', beta: 4 }, ['kl']],
    ['beta with capacity', { name: 'beta', capacity: { max: 5, steps: 40, gamma: 100 } }, ['kl', 'capacity']],
    ['factor', { name: 'factor', gamma: 10, discriminator: { hidden: [64, 64] } }, ['kl', 'tc', 'disc_loss', 'disc_acc']],
    ['beta-tc (mss)', { name: 'beta-tc', estimator: 'mss' }, ['mi', 'tc', 'dwkl', 'kl', 'tc_negative']],
    ['beta-tc (mws)', { name: 'beta-tc', estimator: 'mws' }, ['mi', 'tc', 'dwkl', 'kl', 'tc_negative']],
  ];
  for (const [label, divergence, parts] of cases) {
    it(`${label}: finishes without NaN, logs its parts, keeps the tensor count flat`, async () => {
      const { run, counter, train } = await trainWith(divergence);
      expect(run.status).toBe('FINISHED');
      for (const epoch of [1, 2, 3]) {
        for (const part of ['loss', 'recon', ...parts]) {
          const v = train.get(`train/${part}@${epoch}`);
          expect(v, `train/${part} in epoch ${epoch}`).toBeDefined();
          expect(Number.isFinite(v), `train/${part} = ${v} in epoch ${epoch}`).toBe(true);
        }
      }
      expect(Number.isFinite(run.evaluation!.negElbo)).toBe(true);
      // It learns: measured recon 44.1 → 40.4 nats (β = 4) and similar for every divergence.
      expect(train.get('train/recon@3')!).toBeLessThan(train.get('train/recon@1')! - 2);
      expect(counter.counts, `tensor counts per epoch: ${counter.counts.join(', ')}`).toEqual(Array(3).fill(counter.counts[0]));
      expect(readdirSync(join(run.runDir, 'artifacts'))).toContain('samples.png');
      if (divergence['capacity']) {
        // C(step) = 5 · min(1, step / 40): the epoch means over steps 0–19, 20–39, 40–59.
        expect(train.get('train/capacity@1')).toBeCloseTo((5 * 9.5) / 40, 4);
        expect(train.get('train/capacity@2')).toBeCloseTo((5 * 29.5) / 40, 4);
        expect(train.get('train/capacity@3')).toBeCloseTo(5, 4);
      }
      if (divergence['estimator'] === 'mws') {
        // MWS's log(B·N) constant: tc sits (D − 1)·log N above the plain minibatch average (N = 640,
        // the training split; D = 4). Measured 19.39 = 3·log 640 + 0.003.
        expect(train.get('train/tc@3')! - 3 * Math.log(640)).toBeLessThan(0.5);
        expect(train.get('train/tc@3')! - 3 * Math.log(640)).toBeGreaterThan(-0.5);
      }
      if (divergence['name'] === 'factor') {
        // The checkpoint holds the discriminator and its optimiser, which ran once per model step.
        const ck = await loadCheckpoint(join(run.runDir, 'checkpoint'));
        const aux = [...ck.tensors.keys()].filter((k) => k.startsWith('aux/'));
        expect(aux).toEqual(
          expect.arrayContaining(['aux/discriminator/hidden0/kernel', 'aux/discriminator/logit/bias', 'aux/adam/m/discriminator/hidden0/kernel', 'aux/adam/iterations']),
        );
        expect(ck.tensors.get('aux/adam/iterations')!.dataSync()[0]).toBe(60);
        expect([...ck.tensors.keys()].some((k) => k.startsWith('param/') && k.includes('discriminator'))).toBe(false);
        tf.dispose([...ck.tensors.values()]);
      }
    });
  }

  it('factor: a run resumed from its checkpoint ends with the same history as an uninterrupted one', async () => {
    const divergence = { name: 'factor', gamma: 10, discriminator: { hidden: [64, 64] } };
    const reference = await trainWith(divergence, 3);
    const first = await trainWith(divergence, 2);
    const config = { ...first.config, train: { ...first.config.train, epochs: 3 } };
    const resumed = await trainRun({ config, registry: first.registry, container: first.container, logger: new SilentLogger(), resumeDir: first.run.runDir });
    expect(resumed.status).toBe('FINISHED');
    expect(comparable(resumed.history)).toEqual(comparable(reference.run.history));
  });
});
