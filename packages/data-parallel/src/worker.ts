/**
 * One data-parallel training worker: its own TensorFlow.js engine and a replica of the model, built
 * from the run's config like the main thread's. Per step it computes the gradient of its rows of
 * the batch, publishes it in shared memory, waits for the others, averages all workers' gradients
 * in a fixed order and applies the optimiser — every replica applies the same update to the same weights,
 * so they stay identical without sending weights around.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type { Container } from 'inversify';
import { type ComponentRegistry, Dataset, type VaeModel, Optimizer, createRunContainer, Model, SilentLogger, accumulate, lossAndGradients } from '@elbo/core';
import { type OptimizerFactory, selectBackend, setLayerGradients } from '@elbo/compute';
import { Barrier } from './barrier.js';
import { stateBuffers, type EpochMessage, type FromWorker, type InitMessage, type ToWorker } from './protocol.js';
import { readState, writeState } from './train-state.js';

const port = parentPort!;
const send = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

type Setup = (config: InitMessage['config']) => Promise<{ container: Container; registry: ComponentRegistry }>;

async function start(init: InitMessage) {
  setLayerGradients(init.layerGradients);
  await selectBackend(init.backend, { ignoreEnv: true });
  const setup = (await import(init.setup.module))[init.setup.export] as Setup | undefined;
  if (typeof setup !== 'function') throw new Error(`${init.setup.module} exports no function "${init.setup.export}"`);
  const { container, registry } = await setup(init.config);
  const run = createRunContainer(container, { config: init.config, logger: new SilentLogger(), registry });
  const dataset = await run.getAsync<Dataset>(Dataset);
  const model = await run.getAsync<VaeModel>(Model);
  const params = model.parameters();
  const mine = [...params].map(([name, v]) => ({ name, size: v.size }));
  if (JSON.stringify(mine) !== JSON.stringify(init.params)) throw new Error(`worker ${init.index} built a different parameter list than the main thread`);
  return { dataset, model, params, optimizer: (await run.getAsync<OptimizerFactory>(Optimizer))(params) };
}

type Built = Awaited<ReturnType<typeof start>>;

/** The mean of the workers' gradients for one parameter: slot 0 + slot 1 + … in that order, over N. */
function average(slots: readonly Float32Array[], offset: number, size: number): Float32Array {
  const out = new Float32Array(size);
  const N = slots.length;
  if (N === 2) {
    const a = slots[0]!;
    const b = slots[1]!;
    for (let j = 0; j < size; j++) out[j] = (a[offset + j]! + b[offset + j]!) * 0.5;
    return out;
  }
  out.set(slots[0]!.subarray(offset, offset + size));
  for (let k = 1; k < N; k++) {
    const s = slots[k]!;
    for (let j = 0; j < size; j++) out[j] += s[offset + j]!;
  }
  for (let j = 0; j < size; j++) out[j] /= N;
  return out;
}

async function runEpoch(b: Built, init: InitMessage, barrier: Barrier, msg: EpochMessage): Promise<void> {
  writeState(b.params, b.optimizer, msg.state);
  const { index: w, workers: N, batchSize: B } = init;
  const rows = B / N;
  const train = b.dataset.train;
  const D = train.dim;
  const transform = b.dataset.trainTransform;
  // With a transform (dynamic binarisation…), the whole batch is transformed with the step's seed
  // and this worker's rows are taken, so its random draws match the undivided batch's.
  const buf = new Float32Array((transform ? B : rows) * D);
  const entries = [...b.params];
  const vars = entries.map(([, v]) => v);
  const nameOf = new Map(entries.map(([k, v]) => [v.name, k]));
  const offsets: number[] = [];
  let total = 0;
  for (const [, v] of entries) {
    offsets.push(total);
    total += v.size;
  }
  const offsetOf = new Map(entries.map(([k], i) => [k, offsets[i]!]));
  const slot = (parity: number, worker: number) => new Float32Array(init.grads, (parity * N + worker) * total * 4, total);
  const conditioner = b.model.conditioner;
  let keys: string[] | undefined;
  let acc: tf.Tensor | undefined;
  for (let s = 0; s < msg.steps; s++) {
    const batch = msg.perm.subarray(s * B, (s + 1) * B);
    const idx = batch.subarray(w * rows, (w + 1) * rows);
    train.read(transform ? batch : idx, buf);
    const cond = conditioner?.read(train, idx);
    const ctx = { step: msg.step + s, datasetSize: msg.datasetSize, seed: msg.noiseSeeds[s]!, rows: { offset: w * rows, total: B } };
    const parity = s & 1;
    const out = slot(parity, w);
    const stepAcc = tf.tidy(() => {
      const x = transform ? tf.slice(transform.apply(tf.tensor2d(buf, [B, D]), msg.dataSeeds[s]!), [w * rows, 0], [rows, D]) : tf.tensor2d(buf, [rows, D]);
      const { value, grads, parts } = lossAndGradients(b.model, x as tf.Tensor2D, cond, ctx, vars, nameOf);
      // The exchange goes through host memory: a synchronous copy by design (WASM and CPU compute
      // synchronously, so it waits for nothing).
      for (const [name, g] of grads) out.set(g.dataSync() as Float32Array, offsetOf.get(name)!);
      barrier.wait();
      // Every worker sums the same slots in the same order: identical averages, identical replicas.
      const named = new Map<string, tf.Tensor>();
      const slots = Array.from({ length: N }, (_, k) => slot(parity, k));
      entries.forEach(([name, v], i) => {
        if (!grads.has(name)) return; // no gradient in this worker: none in any (same graph)
        named.set(name, tf.tensor(average(slots, offsets[i]!, v.size), v.shape));
      });
      const norm = b.optimizer.apply(named);
      if (norm) parts['grad_norm'] = norm;
      const next = accumulate(acc, keys, value, parts);
      keys = next.keys;
      return next.sums;
    });
    acc?.dispose();
    acc = stepAcc;
    if (w === 0) send({ type: 'step', s: s + 1 });
    if ((s + 1) % msg.readEvery === 0 && s + 1 < msg.steps) send({ type: 'sums', s: s + 1, keys: keys!, sums: [...(await acc.data())] });
  }
  const sums = [...(await acc!.data())];
  acc!.dispose();
  const state = w === 0 ? await readState(b.params, b.optimizer) : undefined;
  send({ type: 'done', keys: keys!, sums, state }, state ? stateBuffers(state) : []);
}

let built: Built | undefined;
let init: InitMessage | undefined;
let barrier: Barrier | undefined;
port.on('message', async (msg: ToWorker) => {
  try {
    if (msg.type === 'init') {
      init = msg;
      barrier = new Barrier(msg.barrier, msg.workers);
      built = await start(msg);
      send({ type: 'ready' });
    } else {
      await runEpoch(built!, init!, barrier!, msg);
    }
  } catch (e) {
    const err = e as Error;
    send({ type: 'error', message: err.message, name: err.name });
  }
});
