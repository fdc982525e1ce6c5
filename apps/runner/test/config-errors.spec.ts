import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { tempDir, writeConfig, captureOutput } from './helpers.js';

const output = captureOutput();

describe('config errors', () => {
  const dir = tempDir();
  const runs = join(dir, 'runs');

  const cases: [string, string[], string][] = [
    ['a bad layer width, with its exact path', ['--set', 'model.encoder.hidden=[400, -3]'], 'model.encoder.hidden[1]: expected a positive integer, got -3'],
    ['a misspelt component, with the nearest name', ['--set', 'model.likelihood=bernouli'], 'model.likelihood.name: unknown likelihood "bernouli" — did you mean "bernoulli"?'],
    ['a misspelt option', ['--set', 'model.encoder.activaton=relu'], 'model.encoder.activaton: unknown option — did you mean "activation"?'],
    ['a misspelt section', ['--set', 'trian.epochs=3'], 'trian: unknown option — did you mean "train"?'],
    ['a value of the wrong type', ['--set', 'optimizer.lr=fast'], 'optimizer.lr: expected a positive number, got "fast"'],
    [
      'an unknown activation',
      ['--set', 'model.decoder.activation=gelu'],
      'model.decoder.activation: expected one of "linear", "relu", "softplus", "tanh", "elu", "sigmoid", got "gelu"',
    ],
    ['a bad dataset option', ['--set', 'data.binarize=maybe'], 'data.binarize: expected one of'],
    ['a malformed override', ['--set', 'optimizer.lr'], '--set optimizer.lr: expected path=value'],
  ];

  for (const [what, args, message] of cases) {
    it(`${what}: exit 2, one clear line, nothing written`, async () => {
      const file = writeConfig(dir);
      const code = await main(['train', file, ...args]);
      expect(code).toBe(2);
      expect(output.err).toContain(message);
      expect(existsSync(runs)).toBe(false);
    });
  }

  it('reports every problem at once', async () => {
    const file = writeConfig(dir);
    expect(await main(['validate', file, '--set', 'model.latent=0', '--set', 'model.prior=gaussian'])).toBe(2);
    expect(output.err).toContain('model.latent: expected a positive integer, got 0');
    expect(output.err).toContain('model.prior.name: unknown prior "gaussian"');
  });

  it('names the file and line of invalid YAML, and a missing file', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'model:\n  latent: [1, 2\n');
    expect(await main(['train', bad])).toBe(2);
    expect(output.err).toMatch(/bad\.yaml:\d+:\d+: invalid YAML/);
    output.clear();
    expect(await main(['train', join(dir, 'missing.yaml')])).toBe(2);
    expect(output.err).toContain('missing.yaml: no such file');
    expect(existsSync(runs)).toBe(false);
  });

  it('validate prints the resolved config with every default', async () => {
    const file = writeConfig(dir);
    expect(await main(['validate', file])).toBe(0);
    expect(output.out).toContain('activation: relu');
    expect(output.out).toContain('beta: 1');
    expect(output.out).toContain('clipNorm: null');
  });

  it('an unknown command suggests the nearest', async () => {
    expect(await main(['trian'])).toBe(2);
    expect(output.err).toContain('train');
  });
});
