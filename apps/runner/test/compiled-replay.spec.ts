import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trainRun, type Logger } from '@elbo/core';
import { readMetrics } from '@elbo/trackers';
import { loadResolved } from '../src/setup.js';
import { repoRoot, tempDir } from './helpers.js';

// The native pass of the suite (ELBO_BACKEND=node, after `elbo backend native`) runs these.
const native = process.env['ELBO_BACKEND'] === 'node';

/** The log lines of a run and its per-step training losses, trained with `train.compile` as given. */
async function trainExample(file: string, compile: string, extra: readonly string[], replay = true): Promise<{ lines: string[]; losses: number[]; negElbo: number }> {
  const dir = tempDir();
  process.env['ELBO_COMPILE_REPLAY'] = replay ? '1' : '0';
  const limit = file.startsWith('dsprites') ? 'data.testSize=64' : 'data.limit={train: 600, test: 64}';
  const overrides = [
    `runs=${join(dir, 'runs')}`,
    'backend=node',
    `train.compile=${compile}`,
    'train.epochs=2',
    'train.stepsPerEpoch=7',
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
 * numbers eager steps train to: the examples whose host work is declared replay (schedules
 * included), one whose is not (a condition made per step) says why and runs its code — both as eager.
 */
describe.skipIf(!native)('compiled steps without their JavaScript compute what eager steps compute', () => {
  const replays = /steps now run without their JavaScript/;
  const cases: [string, RegExp, string[]][] = [
    ['mnist-vae.yaml', replays, []],
    // A KL warm-up that reaches 1 at step 10 of 14: its factor is made from the plan's step number.
    ['mnist-vae.yaml', replays, ['train.schedule={name: linear-warmup, steps: 10}']],
    ['mnist-iwae.yaml', replays, []],
    ['dsprites-beta-tcvae.yaml', replays, []],
    ['dsprites-factor-vae.yaml', replays, []],
    ['dsprites-beta-vae-capacity.yaml', replays, []],
    ['mnist-cvae.yaml', /still runs its JavaScript — a host-made tensor of shape \[\d+\], not made through hostTensor, changes from step to step/, []],
  ];
  afterAll(() => {
    delete process.env['ELBO_COMPILE_REPLAY'];
  });
  for (const [file, said, extra] of cases)
    it(`${file} ${extra.join(' ')}`, async () => {
      const eager = await trainExample(file, 'off', extra);
      const everyScript = await trainExample(file, 'graph', extra, false);
      const compiled = await trainExample(file, 'graph', extra);
      expect(compiled.lines.filter((l) => l.startsWith('compiled steps:'))).toEqual([expect.stringMatching(said)]);
      expect(everyScript.lines.filter((l) => l.startsWith('compiled steps:'))).toEqual([]);
      // The same function from the same inputs: the same numbers, to the last bit.
      expect(compiled.losses).toHaveLength(2);
      expect(compiled.losses).toEqual(everyScript.losses);
      expect(compiled.negElbo).toBe(everyScript.negElbo);
      // And as eager steps, within the compiled function's own rounding (FactorVAE's discriminator: 2e-5 after 18 steps).
      compiled.losses.forEach((l, i) => expect(Math.abs(l - eager.losses[i]!) / Math.abs(eager.losses[i]!)).toBeLessThanOrEqual(1e-4));
      expect(Math.abs(compiled.negElbo - eager.negElbo) / Math.abs(eager.negElbo)).toBeLessThanOrEqual(1e-4);
    });
});
