import { Worker } from 'node:worker_threads';
import type { LayerGradients } from '@elbo/compute';
import type { ResolvedRunConfig } from '@elbo/core';
import { Barrier } from './barrier.js';
import type { EpochMessage, FromWorker, InitMessage, TrainState, WorkerSetup } from './protocol.js';

export interface WorkerGroupOptions {
  readonly workers: number;
  readonly config: ResolvedRunConfig;
  readonly backend: 'wasm' | 'cpu';
  readonly layerGradients: LayerGradients;
  readonly setup: WorkerSetup;
  readonly batchSize: number;
  readonly params: readonly { readonly name: string; readonly size: number }[];
}

export interface EpochRequest extends Omit<EpochMessage, 'type'> {
  /** Called with the number of steps done (from worker 0, every step). */
  readonly onStep: (done: number) => void;
  /** Called every `readEvery` steps with the running sums, averaged over the workers. */
  readonly onSums: (done: number, keys: string[], sums: number[]) => void;
}

export interface EpochResult {
  readonly keys: string[];
  /** Per-step loss parts summed over the epoch's steps, averaged over the workers. */
  readonly sums: number[];
  readonly state: TrainState;
}

/**
 * The main thread's side of data-parallel training: starts the worker threads, hands each
 * epoch's permutation, seeds and starting state to all of them, relays their progress, and
 * returns the losses and the state after the epoch. The main thread computes nothing meanwhile.
 */
export class WorkerGroup {
  private readonly workers: Worker[] = [];
  private failure: Error | undefined;
  private listener: ((w: number, m: FromWorker) => void) | undefined;
  private ready: Promise<void>;

  constructor(options: WorkerGroupOptions) {
    const N = options.workers;
    const total = options.params.reduce((a, p) => a + p.size, 0);
    const grads = new SharedArrayBuffer(2 * N * total * 4);
    const barrier = new SharedArrayBuffer(Barrier.bytes);
    const started: Promise<void>[] = [];
    for (let i = 0; i < N; i++) {
      const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), { stdout: false, stderr: false });
      this.workers.push(worker);
      started.push(
        new Promise<void>((resolve, reject) => {
          const onReady = (m: FromWorker) => {
            if (m.type === 'ready') resolve();
            else if (m.type === 'error') reject(workerError(i, m.message));
          };
          worker.once('message', onReady);
          worker.on('message', (m: FromWorker) => this.listener?.(i, m));
          worker.on('error', (e) => this.fail(workerError(i, e.message), reject));
          worker.on('exit', (code) => {
            if (code !== 0) this.fail(workerError(i, `exited with code ${code}`), reject);
          });
        }),
      );
      const init: InitMessage = {
        type: 'init',
        config: options.config,
        backend: options.backend,
        layerGradients: options.layerGradients,
        setup: options.setup,
        index: i,
        workers: N,
        batchSize: options.batchSize,
        params: options.params,
        grads,
        barrier,
      };
      worker.postMessage(init);
    }
    this.ready = Promise.all(started).then(() => undefined);
    this.ready.catch(() => {}); // reported by the first epoch
  }

  private fail(e: Error, reject: (e: Error) => void): void {
    this.failure ??= e;
    reject(e);
    this.abortEpoch?.(e);
  }

  private abortEpoch: ((e: Error) => void) | undefined;

  async runEpoch(req: EpochRequest, signal?: AbortSignal): Promise<EpochResult> {
    await this.ready;
    if (this.failure) throw this.failure;
    const N = this.workers.length;
    return new Promise<EpochResult>((resolve, reject) => {
      const pendingSums = new Map<number, { keys: string[]; sums: number[]; count: number }>();
      const done: { keys: string[]; sums: number[] }[] = [];
      let state: TrainState | undefined;
      const finish = (e?: Error) => {
        this.listener = undefined;
        this.abortEpoch = undefined;
        signal?.removeEventListener('abort', onAbort);
        if (e) reject(e);
      };
      const onAbort = () => finish(new Error('aborted'));
      this.abortEpoch = (e) => finish(e);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.listener = (w, m) => {
        if (m.type === 'step') req.onStep(m.s);
        else if (m.type === 'sums') {
          const p = pendingSums.get(m.s) ?? { keys: m.keys, sums: m.sums.map(() => 0), count: 0 };
          m.sums.forEach((v, i) => (p.sums[i]! += v / N));
          if (++p.count === N) {
            pendingSums.delete(m.s);
            req.onSums(m.s, p.keys, p.sums);
          } else pendingSums.set(m.s, p);
        } else if (m.type === 'done') {
          done.push(m);
          if (w === 0) state = m.state;
          if (done.length === N) {
            finish();
            const sums = done[0]!.sums.map((_, i) => done.reduce((a, d) => a + d.sums[i]!, 0) / N);
            resolve({ keys: done[0]!.keys, sums, state: state! });
          }
        } else if (m.type === 'error') finish(workerError(w, m.message));
      };
      const { onStep: _s, onSums: _u, ...message } = req;
      for (const worker of this.workers) worker.postMessage({ type: 'epoch', ...message } satisfies EpochMessage);
    });
  }

  /** Stops the worker threads (a running epoch ends with them). */
  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function workerError(i: number, message: string): Error {
  return new Error(`training worker ${i}: ${message}`);
}
