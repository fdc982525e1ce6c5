/**
 * `npm run bench`: training throughput of reference models on every backend that loads here.
 *
 * Each backend runs in its own process (TensorFlow.js has one engine per process). A child trains
 * the model through core's Trainer on real MNIST batches (binarised), after one warm-up pass, and
 * reports samples/s for each of several repeats; the parent prints the median and the child's
 * peak resident memory. Not a test: figures go to BENCHMARKS.md with the machine and the date.
 */
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { resolveConfig, selectBackend, SilentLogger, Rng, buildModel, Trainer, TrackerHub, type BackendPreference } from '@elbo/core';
import { loadMnist } from '@elbo/datasets';
import { setup } from '@elbo/runner';

interface BenchModel {
  readonly name: string;
  readonly batch: number;
  readonly model: Record<string, unknown>;
  readonly data: () => ReturnType<typeof loadMnist>;
}

/** The reference model: MLP 784-400-20 / 20-400-784, ReLU, Bernoulli, batch 128, Adam. */
const models: BenchModel[] = [
  {
    name: 'reference-mlp',
    batch: 128,
    model: { latent: 20, encoder: { name: 'mlp', hidden: [400], activation: 'relu' }, decoder: { name: 'mlp', hidden: [400], activation: 'relu' }, likelihood: 'bernoulli' },
    data: () => loadMnist({ binarize: 'static', limit: { train: 128 * 64, test: 1 } }),
  },
];

/** Steps per repeat and repeats, per backend (the pure-JS CPU backend is ~40× slower). */
const budget: Record<string, { steps: number; repeats: number }> = {
  node: { steps: 60, repeats: 5 },
  wasm: { steps: 60, repeats: 5 },
  cpu: { steps: 3, repeats: 3 },
};

async function child(backend: BackendPreference, modelName: string): Promise<void> {
  const spec = models.find((m) => m.name === modelName)!;
  try {
    await selectBackend(backend);
  } catch (e) {
    process.stdout.write(JSON.stringify({ ok: false, reason: (e as Error).message }) + '\n');
    return;
  }
  const { registry, container } = await setup();
  const { steps, repeats } = budget[backend]!;
  const config = resolveConfig(
    { seed: 1, backend, data: 'mnist', model: spec.model, train: { epochs: 1, batchSize: spec.batch, readEvery: 1_000_000 }, eval: { k: 0, limit: 1 }, tracking: {} },
    registry,
  );
  const dataset = await spec.data();
  const rng = new Rng(1);
  const model = await buildModel(config, dataset, { registry, container, rng, logger: new SilentLogger() });
  const hub = new TrackerHub([]);
  const options = { epochs: 1, batchSize: spec.batch, readEvery: 1_000_000, optimizer: config.optimizer, evalBatchSize: 1, evalLimit: 1, checkpointEvery: 1 };
  const limited = { ...dataset, train: { ...dataset.train, size: spec.batch * steps, read: dataset.train.read.bind(dataset.train), labels: dataset.train.labels } };
  const rates: number[] = [];
  for (let r = -1; r < repeats; r++) {
    const trainer = new Trainer(model, limited, rng, hub, options);
    const t0 = performance.now();
    await trainer.fit();
    const seconds = (performance.now() - t0) / 1000;
    trainer.dispose();
    if (r >= 0) rates.push((spec.batch * steps) / seconds); // r = -1 is the warm-up
  }
  process.stdout.write(JSON.stringify({ ok: true, rates, peakRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function parent(): void {
  const self = fileURLToPath(import.meta.url);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}; ${new Date().toISOString().slice(0, 10)}`);
  for (const m of models) {
    for (const backend of ['node', 'wasm', 'cpu'] as const) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', backend, m.name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const line = r.stdout.trim().split('\n').pop() ?? '';
      let res: { ok: boolean; reason?: string; rates?: number[]; peakRssMb?: number };
      try {
        res = JSON.parse(line);
      } catch {
        res = { ok: false, reason: (r.stderr || 'no output').trim().split('\n').pop() };
      }
      const label = `${m.name.padEnd(14)}${backend.padEnd(6)}`;
      if (!res.ok) {
        console.log(`${label}unavailable: ${res.reason}`);
        continue;
      }
      const rates = res.rates!;
      console.log(
        `${label}${Math.round(median(rates)).toLocaleString('en-US').padStart(7)} samples/s  (median of ${rates.length}; min ${Math.round(Math.min(...rates)).toLocaleString('en-US')}, max ${Math.round(Math.max(...rates)).toLocaleString('en-US')})  peak RSS ${Math.round(res.peakRssMb!)} MB`,
      );
    }
  }
}

const i = process.argv.indexOf('--child');
if (i >= 0) await child(process.argv[i + 1] as BackendPreference, process.argv[i + 2]!);
else parent();
