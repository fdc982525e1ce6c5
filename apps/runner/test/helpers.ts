import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterEach, beforeEach, vi } from 'vitest';

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
