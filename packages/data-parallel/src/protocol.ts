import type { LayerGradients } from '@elbo/compute';
import type { ResolvedRunConfig } from '@elbo/core';

/**
 * How a worker thread builds the same registry as the process that started it: a module (file
 * URL) and the name of an export called with the run's config, returning `{ container, registry }`
 * with the same first-party modules and plugins. The runner passes its own.
 */
export interface WorkerSetup {
  readonly module: string;
  readonly export: string;
}

/** Weights (in the order of the model's parameter list) and the optimiser's state tensors by key. */
export interface TrainState {
  readonly iterations: number;
  readonly params: Float32Array[];
  readonly slots: readonly { readonly key: string; readonly values: Float32Array }[];
}

/** The buffers of a state, for transfer between threads. */
export function stateBuffers(state: TrainState): ArrayBuffer[] {
  return [...state.params, ...state.slots.map((s) => s.values)].map((a) => a.buffer as ArrayBuffer);
}

export interface InitMessage {
  readonly type: 'init';
  readonly config: ResolvedRunConfig;
  /** The TensorFlow.js backend the main thread runs (`wasm` or `cpu`). */
  readonly backend: 'wasm' | 'cpu';
  readonly layerGradients: LayerGradients;
  readonly setup: WorkerSetup;
  readonly index: number;
  readonly workers: number;
  /** The whole batch; each worker takes batchSize / workers consecutive rows of it. */
  readonly batchSize: number;
  /** The parameter list the main thread built (names and sizes), checked by each worker. */
  readonly params: readonly { readonly name: string; readonly size: number }[];
  /** Gradient exchange: 2 (step parity) × workers × total parameter count floats. */
  readonly grads: SharedArrayBuffer;
  readonly barrier: SharedArrayBuffer;
}

export interface EpochMessage {
  readonly type: 'epoch';
  /** Global step of the epoch's first step. */
  readonly step: number;
  readonly steps: number;
  readonly readEvery: number;
  /** Examples in the main thread's training split (the divergence context's N). */
  readonly datasetSize: number;
  /** The epoch's permutation of the training split; step s uses entries [s·B, (s+1)·B). */
  readonly perm: Int32Array;
  readonly noiseSeeds: Int32Array;
  readonly dataSeeds: Int32Array;
  readonly state: TrainState;
}

export type ToWorker = InitMessage | EpochMessage;

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'step'; readonly s: number }
  | { readonly type: 'sums'; readonly s: number; readonly keys: string[]; readonly sums: number[] }
  | { readonly type: 'done'; readonly keys: string[]; readonly sums: number[]; readonly state?: TrainState }
  | { readonly type: 'error'; readonly message: string; readonly name: string };
