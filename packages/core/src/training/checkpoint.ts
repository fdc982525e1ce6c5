import * as tf from '@tensorflow/tfjs-core';
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../config/config-error.js';
import { writeFileAtomic } from '../runtime/files.js';
import type { RngState } from '../runtime/rng.js';
import type { MetricPoint } from '../tracking/tracker.js';

export interface TensorEntry {
  readonly name: string;
  readonly shape: number[];
  /** Offset in float32 elements into the weights file. */
  readonly offset: number;
}

export interface CheckpointState {
  readonly format: 'elbo-checkpoint/1';
  /** Epochs completed. */
  readonly epoch: number;
  /** Optimisation steps completed. */
  readonly step: number;
  readonly rng: RngState;
  readonly optimizer: { readonly iterations: number };
  /** Per-epoch training history (what a resumed run continues). */
  readonly history: readonly MetricPoint[];
  /**
   * Evaluations of the trained weights after training (the final held-out metrics, `elbo eval`);
   * kept apart from `history` because training further makes them stale.
   */
  readonly evaluations?: readonly MetricPoint[];
  readonly weightsFile: string;
  readonly tensors: readonly TensorEntry[];
  readonly savedAt: string;
}

export interface Checkpoint extends Omit<CheckpointState, 'tensors' | 'weightsFile' | 'format' | 'savedAt' | 'evaluations'> {
  readonly evaluations: readonly MetricPoint[];
  readonly tensors: Map<string, tf.Tensor>;
}

const STATE = 'state.json';

/** Serialises named tensors into one float32 blob plus an index. */
export async function packTensors(named: ReadonlyMap<string, tf.Tensor>): Promise<{ bytes: Uint8Array; index: TensorEntry[] }> {
  const index: TensorEntry[] = [];
  let total = 0;
  for (const [name, t] of named) {
    index.push({ name, shape: t.shape.slice(), offset: total });
    total += t.size;
  }
  const all = new Float32Array(total);
  const values = await Promise.all([...named.values()].map((t) => t.data() as Promise<Float32Array>));
  values.forEach((v, i) => all.set(v, index[i]!.offset));
  return { bytes: new Uint8Array(all.buffer), index };
}

export function unpackTensors(bytes: Uint8Array, index: readonly TensorEntry[], file = 'checkpoint weights'): Map<string, tf.Tensor> {
  const aligned = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const out = new Map<string, tf.Tensor>();
  for (const e of index) {
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (e.offset + size > aligned.length) {
      for (const t of out.values()) t.dispose();
      throw new DataError(file, `truncated at "${e.name}" (${aligned.length * 4} bytes; the checkpoint's index needs ${(e.offset + size) * 4})`);
    }
    out.set(e.name, tf.tensor(aligned.subarray(e.offset, e.offset + size), e.shape));
  }
  return out;
}

/**
 * Writes a checkpoint into `dir`: the weights file first (atomically, named by step), then
 * `state.json` (atomically) which points at it — the rename of state.json is the commit. A crash at
 * any point leaves the previous checkpoint intact; older weight files are removed afterwards.
 */
export async function saveCheckpoint(
  dir: string,
  state: Omit<CheckpointState, 'format' | 'weightsFile' | 'tensors' | 'savedAt'>,
  tensors: ReadonlyMap<string, tf.Tensor>,
): Promise<void> {
  const { bytes, index } = await packTensors(tensors);
  const weightsFile = `weights-${String(state.step).padStart(9, '0')}.bin`;
  await writeFileAtomic(join(dir, weightsFile), bytes);
  const full: CheckpointState = { format: 'elbo-checkpoint/1', ...state, weightsFile, tensors: index, savedAt: new Date().toISOString() };
  await writeFileAtomic(join(dir, STATE), JSON.stringify(full));
  for (const f of await readdir(dir)) {
    if (f.startsWith('weights-') && f.endsWith('.bin') && f !== weightsFile) await rm(join(dir, f), { force: true });
  }
}

export async function hasCheckpoint(dir: string): Promise<boolean> {
  try {
    await readFile(join(dir, STATE));
    return true;
  } catch {
    return false;
  }
}

/** Reads a checkpoint; the caller owns (and disposes) the returned tensors. */
export async function loadCheckpoint(dir: string): Promise<Checkpoint> {
  const statePath = join(dir, STATE);
  let state: CheckpointState;
  try {
    state = JSON.parse(await readFile(statePath, 'utf8')) as CheckpointState;
  } catch (e) {
    throw new Error(`${statePath}: cannot read checkpoint (${(e as Error).message})`);
  }
  if (state.format !== 'elbo-checkpoint/1') throw new Error(`${statePath}: unknown checkpoint format ${JSON.stringify(state.format)}`);
  const weightsPath = join(dir, state.weightsFile);
  const bytes = await readFile(weightsPath);
  return {
    epoch: state.epoch,
    step: state.step,
    rng: state.rng,
    optimizer: state.optimizer,
    history: state.history,
    evaluations: state.evaluations ?? [],
    tensors: unpackTensors(bytes, state.tensors, weightsPath),
  };
}

/**
 * Adds evaluation points to a checkpoint (metrics computed by `elbo eval` after training),
 * rewriting only `state.json`, atomically; the weights are untouched.
 */
export async function appendCheckpointEvaluations(dir: string, points: readonly MetricPoint[]): Promise<void> {
  const statePath = join(dir, STATE);
  const state = JSON.parse(await readFile(statePath, 'utf8')) as CheckpointState;
  await writeFileAtomic(statePath, JSON.stringify({ ...state, evaluations: [...(state.evaluations ?? []), ...points] }));
}
