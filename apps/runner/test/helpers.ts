import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

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
