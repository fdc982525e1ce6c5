import * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ConfigError, DataError } from '../config/config-error.js';
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

/** `manifest-<step>.json`: size and SHA-256 of each file of the checkpoint at `step`. */
type Manifest = { readonly state: string; readonly files: Record<string, { readonly bytes: number; readonly sha256: string }> };
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const pad = (step: number): string => String(step).padStart(9, '0');
async function manifests(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).filter((f) => /^manifest-\d+\.json$/.test(f)).sort((x, y) => y.localeCompare(x));
}

/**
 * Writes a checkpoint into `dir`: weights (named by step), state (by step and hash), then the manifest
 * over both, each atomically — the manifest's rename is the commit. The newest `keep` stay; newer ones
 * (a history resumed from before them) and files no kept manifest lists are removed afterwards.
 */
export async function saveCheckpoint(
  dir: string,
  state: Omit<CheckpointState, 'format' | 'weightsFile' | 'tensors' | 'savedAt'>,
  tensors: ReadonlyMap<string, tf.Tensor>,
  keep = 2,
): Promise<void> {
  const { bytes, index } = await packTensors(tensors);
  const weightsFile = `weights-${pad(state.step)}.bin`;
  await writeFileAtomic(join(dir, weightsFile), bytes);
  const full: CheckpointState = { format: 'elbo-checkpoint/1', ...state, weightsFile, tensors: index, savedAt: new Date().toISOString() };
  await commit(dir, state.step, full, { [weightsFile]: { bytes: bytes.byteLength, sha256: sha256(bytes) } }, keep);
}

async function commit(dir: string, step: number, state: CheckpointState, weights: Manifest['files'], keep: number): Promise<void> {
  const text = Buffer.from(JSON.stringify(state));
  const name = `state-${pad(step)}-${sha256(text).slice(0, 12)}.json`;
  await writeFileAtomic(join(dir, name), text);
  const manifest: Manifest = { state: name, files: { ...weights, [name]: { bytes: text.byteLength, sha256: sha256(text) } } };
  await writeFileAtomic(join(dir, `manifest-${pad(step)}.json`), JSON.stringify(manifest, null, 1));
  const kept = (await manifests(dir)).filter((f) => f <= `manifest-${pad(step)}.json`).slice(0, keep);
  const used = new Set([...kept, ...(await Promise.all(kept.map((f) => readManifest(join(dir, f)).catch(() => ({ files: {} }))))).flatMap((m) => Object.keys(m.files))]);
  for (const f of await readdir(dir)) if (/^(weights-|state|manifest-)/.test(f) && !used.has(f)) await rm(join(dir, f), { force: true });
}

const readManifest = async (path: string): Promise<Manifest> => parseJson(path, await readFile(path, 'utf8'));
function parseJson<T>(path: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new DataError(path, `cannot read checkpoint (${(e as Error).message})`);
  }
}

export async function hasCheckpoint(dir: string): Promise<boolean> {
  return (await manifests(dir)).length > 0 || existsSync(join(dir, STATE));
}

/**
 * Reads the newest checkpoint (`previous`: the one before it), refusing a file its manifest does not
 * match; one written before manifests (`state.json` alone) loads unverified. The caller owns the tensors.
 */
export async function loadCheckpoint(dir: string, opts: { previous?: boolean; note?: (message: string) => void } = {}): Promise<Checkpoint> {
  const list = await manifests(dir);
  const pick = list[opts.previous ? 1 : 0];
  if (opts.previous && !pick) throw new ConfigError(`${dir}: no checkpoint before the latest is kept (train.keepCheckpoints)`);
  const manifest = pick ? await readManifest(join(dir, pick)) : undefined;
  if (!manifest) opts.note?.(`${dir}: a checkpoint without a manifest (written before checksums); loading it unverified`);
  const fix = opts.previous || list.length < 2 ? 'no earlier checkpoint is kept' : `resume from the one before it: elbo train --resume ${dirname(dir)} --from-previous`;
  const read = async (file: string): Promise<Buffer> => {
    const path = join(dir, file);
    const bytes = await readFile(path).catch((e: Error) => Promise.reject(new DataError(path, `cannot read (${e.message}) — the checkpoint is incomplete; ${fix}`)));
    const want = manifest?.files[file];
    if (manifest && !want) throw new DataError(path, `not listed in ${pick}`);
    if (want && bytes.byteLength !== want.bytes) throw new DataError(path, `${bytes.byteLength} bytes, ${pick} says ${want.bytes} — the checkpoint is truncated; ${fix}`);
    if (want && sha256(bytes) !== want.sha256) throw new DataError(path, `SHA-256 mismatch (expected ${want.sha256}, got ${sha256(bytes)}) — the checkpoint is corrupted; ${fix}`);
    return bytes;
  };
  const statePath = join(dir, manifest?.state ?? STATE);
  const state = parseJson<CheckpointState>(statePath, (await read(basename(statePath))).toString('utf8'));
  if (state.format !== 'elbo-checkpoint/1') throw new Error(`${statePath}: unknown checkpoint format ${JSON.stringify(state.format)}`);
  const { epoch, step, rng, optimizer, history, weightsFile } = state;
  const tensors = unpackTensors(await read(weightsFile), state.tensors, join(dir, weightsFile));
  return { epoch, step, rng, optimizer, history, evaluations: state.evaluations ?? [], tensors };
}

/**
 * Adds evaluation points to the newest checkpoint (metrics computed by `elbo eval` after training):
 * a new state and manifest, atomically; the weights are untouched.
 */
export async function appendCheckpointEvaluations(dir: string, points: readonly MetricPoint[]): Promise<void> {
  const manifest = await manifests(dir).then(([f]) => (f ? readManifest(join(dir, f)) : undefined));
  const statePath = join(dir, manifest?.state ?? STATE);
  const state = JSON.parse(await readFile(statePath, 'utf8')) as CheckpointState;
  const next = { ...state, evaluations: [...(state.evaluations ?? []), ...points] };
  if (!manifest) return writeFileAtomic(statePath, JSON.stringify(next));
  await commit(dir, state.step, next, { [state.weightsFile]: manifest.files[state.weightsFile]! }, Infinity);
}
