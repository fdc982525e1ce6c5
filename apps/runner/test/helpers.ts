import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterEach, beforeEach, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { MetricPoint, Tracker } from '@elbo/core';

/** A temp folder for one test file. */
export function tempDir(prefix = 'elbo-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A small but real MNIST config (MLP 784-200-10), written to `dir/name.yaml`. */
export function writeConfig(dir: string, overrides: Record<string, unknown> = {}, name = 'config.yaml'): string {
  const config = {
    experiment: 'test',
    seed: 3,
    backend: 'wasm',
    runs: join(dir, 'runs'),
    data: { name: 'mnist', binarize: 'dynamic' },
    model: { latent: 10, encoder: { name: 'mlp', hidden: [200] }, decoder: { name: 'mlp', hidden: [200] } },
    train: { epochs: 4, batchSize: 100 },
    eval: { k: 20, limit: 500 },
    tracking: { local: {}, console: { bar: 'never', interval: 60 } },
    ...overrides,
  };
  const file = join(dir, name);
  writeFileSync(file, stringify(config));
  return file;
}

/** Epochs completed by a run's newest checkpoint (`checkpoint/manifest-<step>.json` and the state it names); 0 before the first. */
export function checkpointEpoch(runDir: string): number {
  const dir = join(runDir, 'checkpoint');
  try {
    const newest = readdirSync(dir)
      .filter((f) => /^manifest-\d+\.json$/.test(f))
      .sort()
      .at(-1)!;
    const { state } = JSON.parse(readFileSync(join(dir, newest), 'utf8')) as { state: string };
    return (JSON.parse(readFileSync(join(dir, state), 'utf8')) as { epoch: number }).epoch;
  } catch {
    return 0;
  }
}

export const repoRoot = join(import.meta.dirname, '..', '..', '..');
export const elboBin = join(repoRoot, 'apps', 'runner', 'bin', 'elbo.js');

/**
 * Captures what the code under test writes to stdout and stderr during each test of the file
 * (cleared before each test, restored after).
 */
export function captureOutput(): { readonly out: string; readonly err: string; clear(): void } {
  const c = { out: '', err: '' };
  beforeEach(() => {
    c.out = '';
    c.err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((c.out += String(s)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((c.err += String(s)), true));
  });
  afterEach(() => vi.restoreAllMocks());
  return {
    get out() {
      return c.out;
    },
    get err() {
      return c.err;
    },
    clear() {
      c.out = '';
      c.err = '';
    },
  };
}

/** Records the live tensor count every time the trainer reports an epoch. */
export class TensorCounter implements Tracker {
  readonly name = 'tensor-counter';
  readonly counts: number[] = [];
  async start() {}
  async logParams() {}
  async logMetrics(points: readonly MetricPoint[]) {
    if (points.some((p) => p.key === 'train/loss')) this.counts.push(tf.memory().numTensors);
  }
  async logArtifact() {}
  async finish() {}
}

/** Small real trials: MNIST digits (`train` of them), a 784-`hidden`-8 MLP, no IWAE, no console. */
export function smallMnist(train: number, hidden: number, epochs: number): Record<string, unknown> {
  return {
    data: { name: 'mnist', binarize: 'dynamic', limit: { train, test: train / 5 } },
    model: { latent: 8, encoder: { name: 'mlp', hidden: [hidden] }, decoder: { name: 'mlp', hidden: [hidden] } },
    train: { epochs, batchSize: 100 },
    eval: { k: 0 },
    tracking: { local: {}, console: false },
  };
}

/** `--set` overrides for a quick WASM run of an example config in `dir`. */
export function quickRun(dir: string, epochs: number, limit: string, extra: readonly string[] = []): string[] {
  return [`runs=${join(dir, 'runs')}`, 'backend=wasm', `train.epochs=${epochs}`, ...extra, `data.limit=${limit}`, 'eval.k=0', 'tracking.console=false'];
}
