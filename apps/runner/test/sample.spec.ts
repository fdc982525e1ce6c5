import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePng, loadConfig, resolveConfig, SilentLogger, trainRun } from '@elbo/core';
import { main } from '../src/main.js';
import { setup } from '../src/setup.js';
import { tempDir, writeConfig, captureOutput } from './helpers.js';

const dir = tempDir();
const quick = { train: { epochs: 1, batchSize: 100 }, eval: { k: 0, limit: 100 }, data: { name: 'mnist', limit: { train: 1000, test: 100 } } };
let plain = '';
let conditional = '';

async function train(overrides: Record<string, unknown>, name: string): Promise<string> {
  const file = writeConfig(dir, { ...quick, ...overrides }, name);
  const { registry, container } = await setup();
  const config = resolveConfig(await loadConfig(file), registry, file);
  return (await trainRun({ config, registry, container, logger: new SilentLogger() })).runDir;
}

beforeAll(async () => {
  plain = await train({}, 'plain.yaml');
  conditional = await train({ model: { latent: 8, condition: 'onehot', encoder: 'conditional-mlp', decoder: 'conditional-mlp', prior: 'conditional-gaussian' } }, 'cvae.yaml');
});

const output = captureOutput();

describe('elbo sample', () => {
  it('writes a PNG grid of n samples', async () => {
    const out = join(dir, 'samples.png');
    expect(await main(['sample', plain, '--n', '16', '--out', out])).toBe(0);
    const png = decodePng(readFileSync(out));
    expect([png.width, png.height]).toEqual([4 * 28 + 5 * 2, 4 * 28 + 5 * 2]);
  });

  it('a conditional model draws the asked-for class, or a grid with one row per class', async () => {
    const sevens = join(dir, 'sevens.png');
    expect(await main(['sample', conditional, '--condition', '7', '--n', '9', '--out', sevens])).toBe(0);
    expect(existsSync(sevens)).toBe(true);
    const grid = join(dir, 'digits.png');
    expect(await main(['sample', conditional, '--grid-by-condition', '--out', grid])).toBe(0);
    const png = decodePng(readFileSync(grid));
    expect([png.width, png.height]).toEqual([10 * 28 + 11 * 2, 10 * 28 + 11 * 2]);
  });

  const bad: [string, () => string[], string][] = [
    ['a class out of range', () => ['sample', conditional, '--condition', '12', '--out', join(dir, 'x.png')], '--condition: expected a class label from 0 to 9, got "12"'],
    [
      'the wrong number of conditions',
      () => ['sample', conditional, '--condition', '1', '2', '--n', '4', '--out', join(dir, 'x.png')],
      '--condition: expected 1 or 4 class labels, got 2',
    ],
    ['a condition for an unconditional model', () => ['sample', plain, '--condition', '7', '--out', join(dir, 'x.png')], 'is not conditional'],
    ['no condition for a conditional model', () => ['sample', conditional, '--out', join(dir, 'x.png')], 'say what to generate'],
    ['a folder that is not a run', () => ['sample', dir, '--out', join(dir, 'x.png')], 'not a run folder'],
  ];
  for (const [what, args, message] of bad) {
    it(`${what}: exit 2, a clear message, no file`, async () => {
      expect(await main(args())).toBe(2);
      expect(output.err).toContain(message);
      expect(existsSync(join(dir, 'x.png'))).toBe(false);
    });
  }
});
