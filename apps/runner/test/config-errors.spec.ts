import { existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
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
    ['a misspelt option', ['--set', 'model.encoder.activaton=relu'], '--set model.encoder.activaton=relu: unknown option — did you mean "activation"?'],
    ['a misspelt section', ['--set', 'trian.epochs=3'], 'trian: unknown option — did you mean "train"?'],
    ['a value of the wrong type', ['--set', 'optimizer.lr=fast'], '--set optimizer.lr=fast: expected a positive number, got "fast"'],
    [
      'an unknown activation',
      ['--set', 'model.decoder.activation=gelu'],
      '--set model.decoder.activation=gelu: expected one of "linear", "relu", "softplus", "tanh", "elu", "sigmoid", got "gelu"',
    ],
    ['a bad dataset option', ['--set', 'data.binarize=maybe'], '--set data.binarize=maybe: expected one of'],
    ['a malformed override', ['--set', 'optimizer.lr'], '--set optimizer.lr: expected path=value'],
    ['a bad value from --set, blamed on the override', ['--set', 'train.epochs=minus'], '--set train.epochs=minus: expected a positive integer, got "minus"'],
    ['NaN, shown as NaN', ['--set', 'optimizer.lr=.nan'], '--set optimizer.lr=.nan: expected a positive number, got NaN'],
    ['Infinity, shown as Infinity', ['--set', 'train.epochs=.inf'], '--set train.epochs=.inf: expected a positive integer, got Infinity'],
  ];

  for (const [what, args, message] of cases) {
    it(`${what}: exit 2, one clear line, nothing written`, async () => {
      const file = writeConfig(dir);
      const code = await main(['train', file, ...args]);
      expect(code).toBe(2);
      expect(output.err).toContain(message);
      expect(output.err).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(runs)).toBe(false);
    });
  }

  it('a problem with a value of the file is still blamed on the file, beside one from --set', async () => {
    const file = writeConfig(dir, { train: { epochs: 0, batchSize: 100 } });
    expect(await main(['validate', file, '--set', 'optimizer.lr=-1'])).toBe(2);
    expect(output.err).toContain(`${file}: train.epochs: expected a positive integer, got 0`);
    expect(output.err).toContain('--set optimizer.lr=-1: expected a positive number, got -1');
    expect(output.err).not.toContain(`${file}: optimizer.lr`);
  });

  it('a folder given as the config: exit 2, named as a folder, nothing written', async () => {
    expect(await main(['train', dir])).toBe(2);
    expect(output.err.trim()).toBe(`error: ${dir}: is a directory, expected a YAML or JSON config file`);
    expect(existsSync(runs)).toBe(false);
  });

  it('reports every problem at once', async () => {
    const file = writeConfig(dir);
    expect(await main(['validate', file, '--set', 'model.latent=0', '--set', 'model.prior=gaussian'])).toBe(2);
    expect(output.err).toContain('--set model.latent=0: expected a positive integer, got 0');
    expect(output.err).toContain('--set model.prior=gaussian: model.prior.name: unknown prior "gaussian"');
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

describe('a damaged run folder', () => {
  const dir = tempDir();

  it('a truncated checkpoint weights file is named: exit 2, no stack trace, nothing written', async () => {
    const file = writeConfig(dir, { train: { epochs: 1, batchSize: 100 }, data: { name: 'mnist', binarize: 'dynamic', limit: { train: 200, test: 50 } }, eval: { k: 0 } });
    expect(await main(['train', file, '--set', 'tracking.console=false'])).toBe(0);
    const runDir = output.out.trim().split('\n').pop()!;
    const ck = join(runDir, 'checkpoint');
    const weights = join(
      ck,
      readdirSync(ck).find((f) => f.startsWith('weights-'))!,
    );
    truncateSync(weights, statSync(weights).size - 400);
    const artifacts = readdirSync(join(runDir, 'artifacts')).sort();
    const metrics = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8');
    output.clear();
    expect(await main(['eval', runDir, '--k', '0'])).toBe(2);
    expect(output.err).toMatch(
      new RegExp(`^error: ${weights.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\d+ bytes, manifest-\\d+\\.json says \\d+ — the checkpoint is truncated`, 'm'),
    );
    expect(output.err).not.toMatch(/\n\s+at /);
    expect(readdirSync(join(runDir, 'artifacts')).sort()).toEqual(artifacts);
    expect(readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')).toBe(metrics);
  });
});
