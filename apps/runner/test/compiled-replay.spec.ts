import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainRun, type Logger } from '@elbo/core';
import { readMetrics } from '@elbo/trackers';
import { loadResolved } from '../src/setup.js';
import { repoRoot, tempDir } from './helpers.js';

// The native pass of the suite (ELBO_BACKEND=node, after `elbo backend native`) runs these.
const native = process.env['ELBO_BACKEND'] === 'node';

/** The log lines of a run and its per-step training losses, trained with `train.compile` as given. */
async function trainExample(file: string, compile: string): Promise<{ lines: string[]; losses: number[]; negElbo: number }> {
  const dir = tempDir();
  const limit = file.startsWith('dsprites') ? 'data.testSize=64' : 'data.limit={train: 600, test: 64}';
  const overrides = [
    `runs=${join(dir, 'runs')}`,
    'backend=node',
    `train.compile=${compile}`,
    'train.epochs=2',
    'train.stepsPerEpoch=9',
    'eval.k=0',
    'tracking.console=false',
    limit,
  ];
  const { config, registry, container } = await loadResolved(join(repoRoot, 'examples', file), overrides);
  const lines: string[] = [];
  const logger: Logger = { info: (m) => lines.push(m), warn: (m) => lines.push(m), debug: () => {} };
  const run = await trainRun({ config, registry, container, logger });
  expect(run.status).toBe('FINISHED');
  const losses = readMetrics(run.runDir)
    .filter((m) => m.key === 'train/loss')
    .map((m) => m.value);
  return { lines, losses, negElbo: run.evaluation!.negElbo };
}

/**
 * Compiled steps that run without their JavaScript (StepCompiler's replay) must train to the
 * numbers eager steps train to: the examples whose host work is declared replay, those whose is
 * not (a condition made per step, a schedule) say why and run their code — both as eager.
 */
describe.skipIf(!native)('compiled steps without their JavaScript compute what eager steps compute', () => {
  const cases: [string, RegExp][] = [
    ['mnist-vae.yaml', /steps now run without their JavaScript/],
    ['mnist-iwae.yaml', /steps now run without their JavaScript/],
    ['mnist-iaf.yaml', /steps now run without their JavaScript/],
    ['dsprites-beta-tcvae.yaml', /steps now run without their JavaScript/],
    ['dsprites-factor-vae.yaml', /steps now run without their JavaScript/],
    ['mnist-cvae.yaml', /still runs its JavaScript — a host-made tensor of shape \[\d+\] changes/],
    ['dsprites-beta-vae-capacity.yaml', /still runs its JavaScript — the step reads its step number/],
  ];
  for (const [file, said] of cases)
    it(file, async () => {
      const eager = await trainExample(file, 'off');
      const compiled = await trainExample(file, 'graph');
      expect(compiled.lines.filter((l) => l.startsWith('compiled steps:'))).toEqual([expect.stringMatching(said)]);
      expect(compiled.losses).toHaveLength(2);
      compiled.losses.forEach((l, i) => expect(Math.abs(l - eager.losses[i]!) / Math.abs(eager.losses[i]!)).toBeLessThanOrEqual(1e-5));
      expect(Math.abs(compiled.negElbo - eager.negElbo) / Math.abs(eager.negElbo)).toBeLessThanOrEqual(1e-5);
    });
});
