/**
 * `train.workers`: data-parallel training on worker threads (WASM and CPU backends). Each worker
 * trains on its rows of every batch with the noise the whole batch would have drawn, so two
 * workers reproduce one thread's run to float rounding. Models that cannot be split are refused.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, trainRun, type Logger, type MetricPoint } from '@elbo/core';
import { loadResolved } from '../src/setup.js';
import { smallMnist, tempDir, writeConfig } from './helpers.js';

const small = smallMnist(1000, 64, 2);

class Lines implements Logger {
  readonly lines: string[] = [];
  info(m: string) {
    this.lines.push(m);
  }
  warn(m: string) {
    this.lines.push(m);
  }
  debug() {}
}

async function train(dir: string, name: string, overrides: string[]) {
  const file = writeConfig(dir, { ...small, experiment: name }, `${name}.yaml`);
  const resolved = await loadResolved(file, overrides);
  const logger = new Lines();
  const result = await trainRun({ ...resolved, logger });
  return { result, logger, backend: result.backend.name };
}

const byKey = (h: readonly MetricPoint[]) => Object.fromEntries(h.map((p) => [`${p.key}@${p.step}`, p.value]));

describe('train.workers', () => {
  const dir = tempDir('elbo-workers-');

  it('two worker threads reproduce one thread’s losses and held-out metrics, float rounding aside', async () => {
    const one = await train(dir, 'one', ['train.workers=1']);
    const two = await train(dir, 'two', ['train.workers=2']);
    expect(two.result.status).toBe('FINISHED');
    const a = byKey(one.result.history);
    const b = byKey(two.result.history);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const k of ['train/loss@1', 'train/loss@2', 'train/kl@2', 'test/neg_elbo@2', 'test/recon@2']) {
      expect(Math.abs(b[k]! - a[k]!) / Math.abs(a[k]!), k).toBeLessThan(1e-4);
    }
    // Training moved: the second epoch is better than the first.
    expect(b['train/loss@2']!).toBeLessThan(b['train/loss@1']!);
    if (two.backend === 'wasm' || two.backend === 'cpu') expect(two.logger.lines).toContain('training on 2 worker threads, 50 examples of each batch apiece');
    else expect(two.logger.lines.some((l) => l.includes('does not apply on the tensorflow backend'))).toBe(true);
  });

  it.each([
    [['train.workers=3'], /train\.workers: train\.batchSize \(100\) must be a multiple of train\.workers \(3\)/],
    [['train.workers=2', 'model.divergence.name=beta-tc'], /train\.workers: the divergence BetaTcVae couples the examples of a batch/],
    [['train.workers=2', 'model.divergence.name=factor'], /train\.workers: the divergence \w+ trains networks of its own/],
  ])('%j is refused with the reason, before a run folder exists', async (overrides, message) => {
    const name = `bad-${overrides.length}-${String(overrides[overrides.length - 1]).replace(/\W/g, '')}`;
    const error = await train(dir, name, overrides).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect(existsSync(join(dir, 'runs', name))).toBe(false);
  });
});
