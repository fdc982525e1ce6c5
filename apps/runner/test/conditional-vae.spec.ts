import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, SilentLogger, createContainer, openRun, resolveConfig, trainRun, type TrainRunResult } from '@elbo/core';
import { MlpClassifier } from '@elbo/core/testing';
import { selectBackend } from '@elbo/compute';
import { loadMnist, datasetsModule } from '@elbo/datasets';
import { modelsCvaeModule } from '@elbo/models-cvae';
import { modelsVaeModule } from '@elbo/models-vae';
import { trackersModule } from '@elbo/trackers';

const modules = [modelsVaeModule, modelsCvaeModule, datasetsModule, trackersModule];

function rows(split: { size: number; dim: number; read(i: ArrayLike<number>, o: Float32Array): void }): Float32Array {
  const out = new Float32Array(split.size * split.dim);
  split.read(
    Int32Array.from({ length: split.size }, (_, i) => i),
    out,
  );
  return out;
}

/**
 * The conditional VAE generates what it is asked for. A classifier trained on the embedded MNIST
 * digits (grey levels) labels samples drawn for each class; it must itself be accurate enough to
 * judge (≥ 95 % on held-out digits), and the conditional samples must get the asked-for label at
 * least 85 % of the time over all ten classes.
 */
describe('conditional VAE on the embedded MNIST digits', () => {
  let classifier: MlpClassifier;
  let classifierAccuracy = 0;
  let run: TrainRunResult;

  beforeAll(async () => {
    await selectBackend('wasm');
    const mnist = await loadMnist({ binarize: 'none' });
    // A small conv net: measured 97.2 % held out here (an MLP reached only ~94 % on 8,000 digits).
    classifier = new MlpClassifier(784, 10, { hidden: [256], conv: { imageShape: [28, 28, 1], channels: [16, 32] }, epochs: 10, batchSize: 100, lr: 2e-3, seed: 5 });
    await classifier.fit(rows(mnist.train), mnist.train.labels!);
    classifierAccuracy = await classifier.accuracy(rows(mnist.test), mnist.test.labels!);

    const { registry, container } = createContainer(modules);
    const dir = mkdtempSync(join(tmpdir(), 'elbo-cvae-'));
    const config = resolveConfig(
      {
        experiment: 'cvae',
        seed: 2,
        backend: 'wasm',
        runs: join(dir, 'runs'),
        data: { name: 'mnist' },
        // As examples/mnist-cvae.yaml, for 10 epochs. Measured here: 96.8 % conditional accuracy
        // (a 16-dimensional latent with one 400-unit layer reached only 81 %: the latent then keeps
        // the class, and z from the prior overrides c).
        model: {
          latent: 8,
          condition: 'onehot',
          encoder: { name: 'conditional-mlp', hidden: [512, 256] },
          decoder: { name: 'conditional-mlp', hidden: [256, 512] },
          prior: 'conditional-gaussian',
        },
        optimizer: { lr: 0.002 },
        train: { epochs: 10, batchSize: 64 },
        eval: { k: 20, limit: 500 },
        tracking: { local: {} },
      },
      registry,
    );
    run = await trainRun({ config, registry, container, logger: new SilentLogger() });
  }, 600_000); // ~1 min alone on 2 cores; generous for a loaded machine

  it('the judging classifier is accurate enough (≥ 95 % held out)', () => {
    console.log(`classifier held-out accuracy: ${(classifierAccuracy * 100).toFixed(1)} %`);
    expect(classifierAccuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('samples conditioned on each class are recognised as that class (≥ 85 % over all ten)', async () => {
    const { registry, container } = createContainer(modules);
    const opened = await openRun(run.runDir, { registry, container, logger: new SilentLogger() });
    try {
      const perClass = 50;
      const cond = opened.model.conditioner!.parse(
        Array.from({ length: 10 * perClass }, (_, i) => String(Math.floor(i / perClass))),
        10 * perClass,
        'test',
      );
      const images = tf.tidy(() => opened.model.sample(10 * perClass, 123, opened.model.condition(cond)));
      const x = (await images.data()) as Float32Array;
      images.dispose();
      const predicted = await classifier.predict(x);
      const hits = Array(10).fill(0);
      predicted.forEach((p, i) => (hits[Math.floor(i / perClass)] += p === Math.floor(i / perClass) ? 1 : 0));
      const accuracy = hits.reduce((a, b) => a + b, 0) / (10 * perClass);
      const ev = run.evaluation!;
      console.log(
        `conditional accuracy ${(accuracy * 100).toFixed(1)} % (per class: ${hits.map((h) => Math.round((h / perClass) * 100)).join(' ')}); held-out negative ELBO ${ev.negElbo.toFixed(2)}, IWAE (k=${ev.k}) ${ev.iwae!.toFixed(2)}`,
      );
      expect(accuracy).toBeGreaterThanOrEqual(0.85);
      expect(ev.iwae!).toBeLessThanOrEqual(ev.negElbo);
    } finally {
      opened.dispose();
    }
  });

  it('bad conditions are clear errors', async () => {
    const { registry, container } = createContainer(modules);
    const opened = await openRun(run.runDir, { registry, container, logger: new SilentLogger() });
    try {
      const c = opened.model.conditioner!;
      expect(() => c.parse(['12'], 4, '--condition')).toThrow(new ConfigError('--condition: expected a class label from 0 to 9, got "12"'));
      expect(() => c.parse(['1', '2'], 4, '--condition')).toThrow('expected 1 or 4 class labels, got 2');
      expect(c.parse(['7'], 3, '--condition').labels).toEqual(Int32Array.from([7, 7, 7]));
    } finally {
      opened.dispose();
    }
  });
});
