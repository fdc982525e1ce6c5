import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SilentLogger, trainRun } from '@elbo/core';
import { readMetrics } from '@elbo/trackers';
import { main } from '../src/main.js';
import { loadResolved } from '../src/setup.js';
import { captureOutput, repoRoot, tempDir } from './helpers.js';

const examples = join(repoRoot, 'examples');

/** The (key, step) pairs of a run's metrics.jsonl that hold more than one value. */
function duplicates(runDir: string): string[] {
  const seen = new Map<string, number>();
  for (const p of readMetrics(runDir)) seen.set(`${p.key}@${p.step}`, (seen.get(`${p.key}@${p.step}`) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`);
}

/** Two epochs of an example config, shrunk: the last epoch's held-out points and the final evaluation share a step. */
async function tinyRun(example: string, dir: string, extra: readonly string[]): Promise<string> {
  const { config, registry, container } = await loadResolved(join(examples, example), [
    `runs=${join(dir, 'runs')}`,
    'backend=wasm',
    'train.epochs=2',
    'eval.k=5',
    'eval.limit=100',
    'tracking.console=false',
    ...extra,
  ]);
  const run = await trainRun({ config, registry, container, logger: new SilentLogger() });
  expect(run.status).toBe('FINISHED');
  return run.runDir;
}

describe('one value per metric and step in metrics.jsonl', () => {
  const output = captureOutput();
  const dir = tempDir('elbo-metric-keys-');
  const mnist = ['data.limit={train: 400, test: 100}', 'train.batchSize=100'];
  const families: [string, string[]][] = [
    ['mnist-vae.yaml', mnist],
    ['mnist-cvae.yaml', mnist],
    [
      'dsprites-factor-vae.yaml',
      [
        'data={name: dsprites, source: generator, trainSize: 400, testSize: 100}',
        'model.encoder={name: mlp, hidden: [64]}',
        'model.decoder={name: mlp, hidden: [64]}',
        'train.batchSize=50',
      ],
    ],
  ];
  let vaeRun = '';

  for (const [example, extra] of families) {
    it(`${example}: the final evaluation has keys of its own beside the last epoch's test/*`, async () => {
      const runDir = await tinyRun(example, dir, extra);
      if (example === 'mnist-vae.yaml') vaeRun = runDir;
      expect(duplicates(runDir)).toEqual([]);
      const atLast = readMetrics(runDir)
        .filter((p) => p.step === 2)
        .map((p) => p.key);
      expect(atLast).toEqual(
        expect.arrayContaining(['test/neg_elbo', 'test/recon', 'test/kl', 'final/neg_elbo', 'final/recon', 'final/kl', 'final/active_units', 'final/iwae_k5']),
      );
    });
  }

  it('elbo eval adds final/iwae_k<k> for a new k once, and leaves a k already recorded as it was', async () => {
    const before = readMetrics(vaeRun).find((p) => p.key === 'final/iwae_k5')!.value;
    expect(await main(['eval', vaeRun, '--k', '5'])).toBe(0);
    expect(output.err).toContain('already recorded at step 2 keep their values');
    expect(await main(['eval', vaeRun, '--k', '7'])).toBe(0);
    expect(await main(['eval', vaeRun, '--k', '7'])).toBe(0);
    const metrics = readMetrics(vaeRun);
    expect(metrics.filter((p) => p.key === 'final/iwae_k5').map((p) => p.value)).toEqual([before]);
    expect(metrics.filter((p) => p.key === 'final/iwae_k7').map((p) => p.step)).toEqual([2]);
    expect(duplicates(vaeRun)).toEqual([]);
  });
});
