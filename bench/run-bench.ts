/**
 * `npm run bench`: training throughput of the reference models on every backend that loads here.
 *
 * Each measurement runs in its own process (TensorFlow.js has one engine per process). A child
 * trains the model through core's Trainer, after one warm-up pass, and reports samples/s for each
 * of several repeats; the parent prints the median, the child's peak resident memory, the FLOP
 * rate, and a correctness check: the mean loss over the first steps with the optimised layers
 * equals the unoptimised path's (plain TensorFlow.js ops and their built-in gradients) from the
 * same initial weights and data. Not a test: figures go to BENCHMARKS.md with the machine and date.
 *
 *   npm run bench                      # every model on every backend
 *   npm run bench -- --model conv-vae-64 --backend wasm
 *   npm run bench -- --backend wasm --workers 2   # data-parallel on two worker threads only
 *   npm run bench -- --model reference-mlp --backend node,peers   # native and every Python peer
 *   npm run bench -- --model reference-mlp --rounds 5   # native compiled vs Keras, interleaved 5 times
 *
 * The Python peers (Keras tf.function and XLA, JAX jit, PyTorch eager and torch.compile; bench/peers)
 * run the same models on the same rows after the TensorFlow.js backends, each with its rate over
 * native's in the same run; bench/setup-peers.sh installs them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { DataParallelStrategy } from '@elbo/data-parallel';
import {
  createRunContainer,
  Dataset,
  heldOutEvaluation,
  InProcessStrategy,
  Model,
  Optimizer,
  resolveConfig,
  RngToken,
  SilentLogger,
  Trainer,
  type Rng,
  type TrainerCallback,
  type VaeModel,
} from '@elbo/core';
import { compilerOf, selectBackend, setLayerGradients, type BackendPreference, type CompileSetting, type LayerGradients, type OptimizerFactory } from '@elbo/compute';
import { setup, workerSetup } from '@elbo/runner';
import { benchModels, type BenchModel } from './bench-models.js';

const backends = ['node', 'wasm', 'cpu'] as const;

/** Steps per repeat and repeats, per backend (the pure-JS CPU backend is 20–50× slower). */
const budget: Record<string, { steps: number; repeats: number }> = {
  node: { steps: 40, repeats: 5 },
  wasm: { steps: 40, repeats: 5 },
  cpu: { steps: 2, repeats: 3 },
};

interface Built {
  /** A trainer for `epochs` passes over the measured batches, reporting each epoch's end to `onEpoch`. */
  trainer: (epochs: number, onEpoch?: () => void) => Trainer;
  dataset: Dataset;
}

async function build(spec: BenchModel, backend: BackendPreference, batch: number, steps: number, workers = 1, compile: CompileSetting = 'off'): Promise<Built> {
  await selectBackend(backend);
  const { registry, container } = await setup();
  const config = resolveConfig(
    { seed: 1, backend, data: spec.data, model: spec.model, train: { epochs: 1, batchSize: batch, readEvery: 1_000_000 }, eval: { k: 0, limit: 1 }, tracking: {} },
    registry,
  );
  const run = createRunContainer(container, { config, logger: new SilentLogger(), registry });
  const full = await run.getAsync<Dataset>(Dataset);
  // A fixed prefix of the training split: `steps` batches per epoch, one test example.
  const dataset: Dataset = {
    ...full,
    describe: () => full.describe(),
    train: { ...full.train, size: Math.min(full.train.size, batch * steps), read: full.train.read.bind(full.train) },
    test: { ...full.test, size: 1, read: full.test.read.bind(full.test) },
  };
  run.rebind<Dataset>(Dataset).toConstantValue(dataset);
  const model = await run.getAsync<VaeModel>(Model);
  const optimizer = await run.getAsync<OptimizerFactory>(Optimizer);
  const rng = run.get<Rng>(RngToken);
  // Data-parallel workers build the full dataset from the config and read the rows this thread's
  // permutations of the prefix name.
  const strategy = () => (workers > 1 ? new DataParallelStrategy(workers, config, workerSetup) : new InProcessStrategy({ compile }));
  const callbacks = (onEpoch?: () => void): TrainerCallback[] => [heldOutEvaluation, ...(onEpoch ? [{ name: 'bench', onEpochEnd: () => onEpoch() }] : [])];
  const options = (epochs: number) => ({ epochs, batchSize: batch, readEvery: 1_000_000, evalBatchSize: 1, evalLimit: 1 });
  return { dataset, trainer: (epochs, onEpoch) => new Trainer(model, dataset, rng, optimizer, strategy(), callbacks(onEpoch), options(epochs)) };
}

/**
 * Throughput child: prints {ok, rates, peakRssMb, forwardConvGflops?}. One trainer runs a warm-up
 * epoch and then one epoch per repeat (worker threads, when used, start once); each rate is one
 * epoch's samples over its wall time (the one-example evaluation at its end included).
 */
async function throughput(spec: BenchModel, backend: BackendPreference, workers: number, compile: CompileSetting): Promise<void> {
  const { steps, repeats } = budget[backend]!;
  const ends: number[] = [];
  const { trainer } = await build(spec, backend, spec.batch, steps, workers, compile);
  const t = trainer(repeats + 1, () => ends.push(performance.now()));
  await t.fit();
  // Where a compiled step's time goes: its JavaScript (TensorFlow.js dispatching ops it does not run)
  // and the function call, per compiled step; then the function alone, called in a loop without the
  // script (its outputs released at once, then kept until the next call as a training step's are).
  const c = compilerOf(t.strategy);
  const s = c?.stats;
  const split = s?.compiled
    ? {
        scriptMs: s.scriptMs / s.compiled,
        callMs: s.callMs / s.compiled,
        aloneMs: c!.timeFunction(100, false),
        keptMs: c!.timeFunction(100, true),
        ...(s.replayed ? { replayed: s.replayed / (s.replayed + s.compiled), hostMs: s.replayHostMs / s.replayed, replayCallMs: s.replayCallMs / s.replayed } : {}),
      }
    : undefined;
  t.dispose();
  const rates = ends.slice(1).map((end, i) => (spec.batch * steps) / ((end - ends[i]!) / 1000));
  const forwardConvGflops = spec.convShapes ? forwardConvRate(spec.convShapes, spec.batch) : undefined;
  emit({ ok: true, rates, peakRssMb: process.resourceUsage().maxRSS / 1024, forwardConvGflops, split });
}

/**
 * The backend's own forward-convolution rate on the model's convolution shapes (each transposed
 * convolution counted as the forward convolution it is the transpose of), in GFLOP/s.
 */
function forwardConvRate(shapes: NonNullable<BenchModel['convShapes']>, batch: number): number {
  let flops = 0;
  const xs = shapes.map((s) => tf.randomNormal([batch, s.in[0], s.in[1], s.in[2]]) as tf.Tensor4D);
  const ws = shapes.map((s) => tf.randomNormal([s.kernel, s.kernel, s.in[2], s.outChannels]) as tf.Tensor4D);
  const run = () => shapes.forEach((s, i) => tf.conv2d(xs[i]!, ws[i]!, s.stride, 'same').dispose());
  run();
  const reps = 5;
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) run();
  const seconds = (performance.now() - t0) / 1000 / reps;
  for (const s of shapes) flops += 2 * s.kernel * s.kernel * s.in[2] * s.outChannels * Math.ceil(s.in[0] / s.stride) * Math.ceil(s.in[1] / s.stride) * batch;
  tf.dispose([...xs, ...ws]);
  return flops / seconds / 1e9;
}

/** Correctness child: mean training loss over the first `steps` steps with the given layer gradients. */
async function check(spec: BenchModel, backend: BackendPreference, mode: LayerGradients, workers: number, compile: CompileSetting): Promise<void> {
  setLayerGradients(mode);
  const { trainer } = await build(spec, backend, spec.check.batch, spec.check.steps, workers, compile);
  const t = trainer(1);
  await t.fit();
  t.dispose();
  const loss = t.history.find((p) => p.key === 'train/loss')!.value;
  emit({ ok: true, loss });
}

function emit(o: object): void {
  process.stdout.write(`${JSON.stringify(o)}\n`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

type ChildResult = {
  ok: boolean;
  reason?: string;
  rates?: number[];
  peakRssMb?: number;
  forwardConvGflops?: number;
  loss?: number;
  split?: { scriptMs: number; callMs: number; aloneMs?: number; keptMs?: number; replayed?: number; hostMs?: number; replayCallMs?: number };
};

function child(args: string[], env: NodeJS.ProcessEnv = process.env): ChildResult {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 24, env });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as ChildResult;
  } catch {
    return {
      ok: false,
      reason: (r.stderr || 'no output')
        .trim()
        .split('\n')
        .filter((l) => !l.includes('npm warn'))
        .pop(),
    };
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** The Python peers: each a script in bench/peers printing one JSON line (bench/peers/common.py). */
const peers = [
  { name: 'keras', script: 'keras_peer.py', args: [] },
  { name: 'keras-xla', script: 'keras_peer.py', args: ['--xla'] },
  { name: 'jax', script: 'jax_peer.py', args: [] },
  { name: 'torch', script: 'torch_peer.py', args: [] },
  { name: 'torch-compile', script: 'torch_peer.py', args: ['--compile'] },
] as const;
const peerNames: string[] = peers.map((p) => p.name);

/** The peers' Python: ELBO_BENCH_PYTHON, else .venv-bench (bench/setup-peers.sh), else an older .venv-keras. */
function peerPython(): string | undefined {
  const explicit = process.env['ELBO_BENCH_PYTHON'];
  if (explicit) return explicit;
  return ['../.venv-bench/bin/python', '../.venv-keras/bin/python'].map((p) => fileURLToPath(new URL(p, import.meta.url))).find((p) => existsSync(p));
}

/** Data child: writes the rows the model's measured epochs train on, float32 little-endian, for the peers. */
async function writeRows(spec: BenchModel, file: string): Promise<void> {
  const { steps } = budget['node']!;
  const { dataset } = await build(spec, 'cpu', spec.batch, steps);
  const n = spec.batch * steps;
  const rows = new Float32Array(n * dataset.train.dim);
  dataset.train.read(
    Uint32Array.from({ length: n }, (_, i) => i),
    rows,
  );
  writeFileSync(file, new Uint8Array(rows.buffer));
  emit({ ok: true });
}

type PeerResult = { ok: boolean; reason?: string; rates?: number[]; mode?: string; versions?: string; threads?: number };

/** One peer on the model in its own Python process (`data`: ELBO's rows as `--data file`, or none). */
function runPeer(python: string, peer: (typeof peers)[number], spec: BenchModel, data: string[]): PeerResult {
  const { steps, repeats } = budget['node']!;
  const r = spawnSync(
    python,
    [fileURLToPath(new URL(`./peers/${peer.script}`, import.meta.url)), '--model', spec.name, '--steps', String(steps), '--repeats', String(repeats), ...peer.args, ...data],
    {
      encoding: 'utf8',
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
      maxBuffer: 1 << 24,
      timeout: 20 * 60_000,
    },
  );
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as PeerResult;
  } catch {
    return { ok: false, reason: r.error?.message ?? (r.stderr || 'no output').trim().split('\n').pop() };
  }
}

/**
 * Every selected peer on the model, each in its own Python process, on ELBO's own training rows
 * (random binary rows when they could not be written), with its rate over ELBO native's.
 */
function runPeers(spec: BenchModel, selected: readonly string[], nativeRate: number | undefined): void {
  const python = peerPython();
  if (!python) {
    console.log(`${spec.name.padEnd(14)}${'peers'.padEnd(8)}not measured: no Python for them; run bash bench/setup-peers.sh or set ELBO_BENCH_PYTHON (bench/README.md)`);
    return;
  }
  withPeerRows(spec, (data, rows) => {
    const dataText = rows.ok ? "ELBO's training rows" : `random binary rows (ELBO's could not be written: ${rows.reason})`;
    for (const peer of peers.filter((p) => selected.includes(p.name))) {
      const label = `${spec.name.padEnd(14)}${peer.name.padEnd(14)}`;
      const res = runPeer(python, peer, spec, data);
      if (!res.ok) {
        console.log(`${label}unavailable: ${res.reason}`);
        continue;
      }
      const rate = median(res.rates!);
      const ratio = nativeRate ? `peer/native ${(rate / nativeRate).toFixed(2)}` : 'peer/native: native not measured in this run';
      console.log(
        `${label}${fmt(rate).padStart(7)} samples/s  (median of ${res.rates!.length}; min ${fmt(Math.min(...res.rates!))}, max ${fmt(Math.max(...res.rates!))})  ${ratio}  ${res.versions}, ${res.mode}, ${res.threads} threads, ${dataText}`,
      );
    }
  });
}

/**
 * Runs `fn` with the peers' `--data` arguments: ELBO's training rows of the model written to a
 * temporary file (removed afterwards), or none — the peers then use random binary rows — with why.
 */
function withPeerRows<T>(spec: BenchModel, fn: (data: string[], rows: ChildResult) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'elbo-bench-'));
  const file = join(dir, `${spec.name}.f32`);
  const rows = child(['--child', 'data', spec.name, 'cpu', file]);
  try {
    return fn(rows.ok ? ['--data', file] : [], rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `--rounds N`: native compiled steps (graph and XLA) against Keras `tf.function` on the same rows,
 * interleaved N times — a shared machine's load moves both rates within a round, so the median of
 * the rounds' ratios is steadier than one pass of each. Prints each round and the medians.
 */
function rounds(spec: BenchModel, n: number): void {
  const python = peerPython();
  if (!python) return void console.log(`${spec.name}: --rounds needs the peers' Python (bash bench/setup-peers.sh)`);
  const keras = peers.find((p) => p.name === 'keras')!;
  const ratios: Record<'graph' | 'xla', number[]> = { graph: [], xla: [] };
  withPeerRows(spec, (data) => {
    for (let r = 1; r <= n; r++) {
      const rate = (res: { ok: boolean; rates?: number[]; reason?: string }) => (res.ok ? median(res.rates!) : NaN);
      const graph = rate(child(['--child', 'throughput', spec.name, 'node', '-', '1', 'graph']));
      const xla = rate(child(['--child', 'throughput', spec.name, 'node', '-', '1', 'xla']));
      const peer = rate(runPeer(python, keras, spec, data));
      ratios.graph.push(graph / peer);
      ratios.xla.push(xla / peer);
      console.log(
        `${spec.name} round ${r}: native graph ${fmt(graph)}, native xla ${fmt(xla)}, keras tf.function ${fmt(peer)} samples/s; graph/keras ${(graph / peer).toFixed(2)}, xla/keras ${(xla / peer).toFixed(2)}`,
      );
    }
  });
  const show = (v: number[]) => `${median(v).toFixed(2)} (rounds ${v.map((x) => x.toFixed(2)).join(', ')})`;
  console.log(`${spec.name} over ${n} rounds: native graph / keras tf.function ${show(ratios.graph)}; native xla / keras ${show(ratios.xla)}`);
}

/** Worker-thread counts measured per backend: data parallelism applies to the single-threaded ones. */
const workerCounts: Record<string, number[]> = { node: [1], wasm: [1, 2], cpu: [1, 2] };
/**
 * Step modes measured per backend (`train.compile`): eager, and compiled as a Grappler graph or with
 * XLA on native; `graph-wait` is graph with every function call waited for (ELBO_COMPILE_SYNC=1),
 * to show what running the next step's JavaScript during the call gains.
 */
const compileModes: Record<string, (CompileSetting | 'graph-wait')[]> = { node: ['off', 'graph-wait', 'graph', 'xla'], wasm: ['off'], cpu: ['off'] };

function parent(only: { model?: string; backend?: string; workers?: number }): void {
  // --backend takes a comma-separated list; `peers` stands for every Python peer.
  const selected = only.backend?.split(',').flatMap((b) => (b === 'peers' ? peerNames : [b]));
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}; ${new Date().toISOString().slice(0, 10)}`,
  );
  for (const m of benchModels.filter((x) => !only.model || x.name === only.model)) {
    console.log(`${m.name}: ${m.describe}; ${(m.flopsPerSample / 1e6).toFixed(2)} MFLOP per sample per training step (forward + backward)`);
    let nativeRate: number | undefined;
    for (const backend of backends.filter((b) => !selected || selected.includes(b))) {
      if (m.skip?.includes(backend)) continue;
      for (const [workers, mode] of workerCounts[backend]!.filter((w) => only.workers === undefined || w === only.workers).flatMap((w) =>
        compileModes[backend]!.map((c) => [w, c] as const),
      )) {
        const compile: CompileSetting = mode === 'graph-wait' ? 'graph' : mode;
        const env = mode === 'graph-wait' ? { ...process.env, ELBO_COMPILE_SYNC: '1' } : process.env;
        const name = compile === 'off' ? (backend === 'node' ? 'node eager' : backend) : `node ${mode}`;
        const label = `${m.name.padEnd(14)}${(workers > 1 ? `${name}×${workers}` : name).padEnd(16)}`;
        const res = child(['--child', 'throughput', m.name, backend, '-', String(workers), compile], env);
        if (!res.ok) {
          console.log(`${label}unavailable: ${res.reason}`);
          continue;
        }
        const rate = median(res.rates!);
        // The peers' ratios are to native with compiled steps (train.compile: auto, a Grappler graph).
        if (backend === 'node' && workers === 1 && mode === 'graph') nativeRate = rate;
        const gflops = (rate * m.flopsPerSample) / 1e9;
        // The reference path: one thread, plain TensorFlow.js ops with their built-in gradients, eager,
        // on the same backend unless those gradients cannot run there. A compiled row is checked
        // against the eager step from the same weights and data (relative difference ≤ 1e-5).
        const refBackend = compile === 'off' ? (m.referenceBackend?.[backend] ?? backend) : backend;
        const fast = child(['--child', 'check', m.name, backend, 'custom', String(workers), compile], env);
        const ref =
          compile === 'off'
            ? child(['--child', 'check', m.name, refBackend, 'default', '1', 'off'])
            : child(['--child', 'check', m.name, backend, 'custom', String(workers), 'off']);
        const rel = fast.ok && ref.ok ? Math.abs(fast.loss! - ref.loss!) / Math.abs(ref.loss!) : NaN;
        const tolerance = compile === 'off' ? 1e-3 : 1e-5;
        const against = compile === 'off' ? `unoptimised ${ref.loss?.toFixed(4)} on ${refBackend}` : `eager ${ref.loss?.toFixed(4)}`;
        const checkText = Number.isFinite(rel)
          ? `check ${rel <= tolerance ? 'ok' : 'FAILED'}: loss ${fast.loss!.toFixed(4)} vs ${against} (rel. diff ${rel.toExponential(1)})`
          : `check unavailable: ${fast.reason ?? ref.reason}`;
        const conv = res.forwardConvGflops ? `; ${(gflops / res.forwardConvGflops).toFixed(2)}× its forward-conv rate of ${res.forwardConvGflops.toFixed(1)} GFLOP/s` : '';
        // Where a waited-for call's time goes: the script, then the function. A queued call returns
        // once the queue has room, so its "call" is the wait for the step before (overlapped time excluded).
        const split = res.split
          ? `  step: script ${res.split.scriptMs.toFixed(2)} ms + ${mode === 'graph-wait' || compile === 'off' ? 'function' : 'call (waiting for the queue)'} ${res.split.callMs.toFixed(2)} ms` +
            (res.split.replayed !== undefined
              ? `; ${(100 * res.split.replayed).toFixed(0)} % of compiled steps without their script: host work ${res.split.hostMs!.toFixed(2)} ms + call ${res.split.replayCallMs!.toFixed(2)} ms`
              : '') +
            (res.split.aloneMs !== undefined ? `; function alone ${res.split.aloneMs.toFixed(2)} ms (outputs kept a call longer: ${res.split.keptMs!.toFixed(2)} ms)` : '')
          : '';
        console.log(
          `${label}${fmt(rate).padStart(7)} samples/s  (median of ${res.rates!.length}; min ${fmt(Math.min(...res.rates!))}, max ${fmt(Math.max(...res.rates!))})  peak RSS ${fmt(res.peakRssMb!)} MB  ${gflops.toFixed(1)} GFLOP/s${conv}  ${checkText}${split}`,
        );
      }
    }
    const chosenPeers = peerNames.filter((p) => !selected || selected.includes(p));
    if (chosenPeers.length) runPeers(m, chosenPeers, nativeRate);
  }
}

const argv = process.argv.slice(2);
const opt = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
if (argv[0] === '--child') {
  const [, mode, modelName, backend, layerMode, workers, compile = 'off'] = argv;
  const spec = benchModels.find((m) => m.name === modelName)!;
  try {
    if (mode === 'data') await writeRows(spec, layerMode!);
    else if (mode === 'throughput') await throughput(spec, backend as BackendPreference, Number(workers), compile as CompileSetting);
    else await check(spec, backend as BackendPreference, layerMode as LayerGradients, Number(workers), compile as CompileSetting);
  } catch (e) {
    emit({ ok: false, reason: (e as Error).message.split('\n')[0] });
  }
  process.exit(0); // worker threads, if any, end with the process
} else {
  const workers = opt('--workers');
  const n = opt('--rounds');
  if (n !== undefined) for (const m of benchModels.filter((x) => x.name === (opt('--model') ?? 'reference-mlp'))) rounds(m, Number(n));
  else parent({ model: opt('--model'), backend: opt('--backend'), workers: workers === undefined ? undefined : Number(workers) });
}
