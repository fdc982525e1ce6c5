/**
 * `npx tsx bench/profile-step.ts [wasm|cpu] [steps]`: where a training step of the reference MLP
 * VAE spends its time, by TensorFlow.js kernel (tf.profile), summed over `steps` steps.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRunContainer, Dataset, InProcessStrategy, Model, Optimizer, resolveConfig, RngToken, SilentLogger, Trainer, type Rng, type VaeModel } from '@elbo/core';
import { selectBackend, type BackendPreference, type OptimizerFactory } from '@elbo/compute';
import { loadMnist } from '@elbo/datasets';
import { setup } from '@elbo/runner';

const backend = (process.argv[2] ?? 'wasm') as BackendPreference;
const steps = Number(process.argv[3] ?? 20);
await selectBackend(backend);
const { registry, container } = await setup();
const batch = 128;
const config = resolveConfig(
  {
    seed: 1,
    backend,
    data: 'mnist',
    model: { latent: 20, encoder: { name: 'mlp', hidden: [400] }, decoder: { name: 'mlp', hidden: [400] } },
    train: { epochs: 1, batchSize: batch, readEvery: 1_000_000 },
    eval: { k: 0, limit: 1 },
    tracking: {},
  },
  registry,
);
const dataset = await loadMnist({ binarize: 'static', limit: { train: batch * steps, test: 1 } });
const run = createRunContainer(container, { config, logger: new SilentLogger(), registry });
run.rebind<Dataset>(Dataset).toConstantValue(dataset);
const model = await run.getAsync<VaeModel>(Model);
const optimizer = await run.getAsync<OptimizerFactory>(Optimizer);
const trainer = () =>
  new Trainer(model, dataset, run.get<Rng>(RngToken), optimizer, new InProcessStrategy(), [], {
    epochs: 1,
    batchSize: batch,
    readEvery: 1_000_000,
    evalBatchSize: 1,
    evalLimit: 1,
  });
await trainer().fit(); // warm-up
const t0 = performance.now();
const info = await tf.profile(() => trainer().fit());
const wall = performance.now() - t0;
const byKernel = new Map<string, { ms: number; calls: number }>();
for (const k of info.kernels) {
  const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
  e.ms += Number(k.kernelTimeMs) || 0;
  e.calls += 1;
  byKernel.set(k.name, e);
}
const total = [...byKernel.values()].reduce((a, b) => a + b.ms, 0);
console.log(
  `${backend}: ${steps} steps of batch ${batch}, wall ${(wall / steps).toFixed(2)} ms/step (profiled), kernels ${(total / steps).toFixed(2)} ms/step, ${(info.kernels.length / steps).toFixed(0)} kernels/step`,
);
for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) {
  console.log(
    `${name.padEnd(22)} ${(e.ms / steps).toFixed(2).padStart(7)} ms/step  ${((100 * e.ms) / total).toFixed(1).padStart(5)} %  ${(e.calls / steps).toFixed(0).padStart(4)} calls/step`,
  );
}
