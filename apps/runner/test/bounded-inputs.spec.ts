/**
 * Counts and sizes are checked before anything is allocated or written: a count that means nothing
 * (0, −1) and a size whose tensors would not fit (2^31−1 values per tensor, a quarter of the
 * machine's memory) exit 2 with the option's path and, for sizes, the estimate in bytes — no stack
 * trace, no run folder, nothing new in a trained run's folder.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { captureOutput, tempDir, writeConfig } from './helpers.js';

const dir = tempDir('elbo-bounded-');
const small = {
  data: { name: 'mnist', binarize: 'dynamic', limit: { train: 400, test: 100 } },
  model: { latent: 4, encoder: { name: 'mlp', hidden: [32] }, decoder: { name: 'mlp', hidden: [32] } },
  train: { epochs: 1, batchSize: 50 },
  eval: { k: 2 },
};

/** Every file under `root` with its size and modification time: what a refused command must leave alone. */
function snapshot(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(`${relative(root, p)} ${statSync(p).size} ${statSync(p).mtimeMs}`);
    }
  };
  walk(root);
  return out.sort();
}

const output = captureOutput();

describe('bounded config sizes: refused before the run folder exists', () => {
  const cases: [string, string[], RegExp][] = [
    [
      'model.latent too large for the encoder head',
      ['model.latent=1000000000'],
      /model\.encoder: head\/kernel \[32, 2000000000\] would need 64000000000 float32 values, 256000000000 bytes \(256\.0 GB\); the limit is \d+ bytes/,
    ],
    [
      'a hidden width too large',
      ['model.decoder.hidden=[1000000000]'],
      /model\.decoder: hidden0\/kernel \[4, 1000000000\] would need 4000000000 float32 values, 16000000000 bytes \(16\.0 GB\); the limit is/,
    ],
    [
      'a discriminator width too large',
      ['model.divergence={name: factor, discriminator: {hidden: [1000000000]}}'],
      /model\.divergence\.discriminator\.hidden: discriminator\/hidden0\/kernel \[4, 1000000000\] would need .* bytes/,
    ],
    [
      'an embedding too wide',
      ['model.condition={name: embedding, dim: 1000000000}', 'model.encoder=conditional-mlp', 'model.decoder=conditional-mlp'],
      /model\.condition\.dim: the embedding table \[10, 1000000000\] would need .* bytes/,
    ],
    [
      'eval.k too large for the final IWAE',
      ['eval.k=100000000'],
      /eval\.k\S*: the final IWAE's log-weights \(eval\.k × eval\.batchSize\) \[100000000, 100\] would need 10000000000 float32 values, 40000000000 bytes/,
    ],
    [
      'conv feature maps too large for the batch',
      ['model.encoder={name: conv, channels: [1000000]}', 'model.decoder={name: conv, channels: [1000000]}'],
      /model\.encoder: the feature map of convolution 1 for a batch of \d+ \[\d+, 14, 14, 1000000\] would need \d+ float32 values/,
    ],
    ['train.batchSize larger than the training split', ['train.batchSize=100000000'], /train\.batchSize: 100000000 is larger than the training split \(400 examples\)/],
  ];
  for (const [what, sets, message] of cases) {
    it(`${what}: exit 2, the path and the estimate, nothing written`, async () => {
      const runs = tempDir('elbo-bounded-runs-');
      const file = writeConfig(runs, small);
      expect(await main(['train', file, ...sets.flatMap((s) => ['--set', s])])).toBe(2);
      expect(output.err).toMatch(message);
      expect(output.err).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(join(runs, 'runs'))).toBe(false);
    });
  }
});

describe('bounded command options on a trained run', () => {
  let run = '';
  beforeAll(async () => {
    // eval.batchSize far above the rows evaluated: batches hold the rows there are, not eval.batchSize.
    const file = writeConfig(dir, { ...small, eval: { k: 2, batchSize: 100_000_000, limit: 50 } });
    expect(await main(['train', file])).toBe(0);
    run = join(dir, 'runs', 'test', readdirSync(join(dir, 'runs', 'test'))[0]!);
  });

  const refused: [string, string[], RegExp][] = [
    [
      'sample --n too large',
      ['sample', '<run>', '--n', '100000000', '--out', '<dir>/huge.png'],
      /--n: the samples' widest layer \(n × 784\) \[100000000, 784\] would need .* bytes/,
    ],
    ['sample --n 0', ['sample', '<run>', '--n', '0', '--out', '<dir>/none.png'], /--n: expected a positive integer, got 0/],
    ['sample --cols 0', ['sample', '<run>', '--cols', '0', '--out', '<dir>/none.png'], /--cols: expected a positive integer, got 0/],
    ['eval --limit -1', ['eval', '<run>', '--k', '0', '--limit', '-1'], /--limit: expected a positive integer, got -1/],
    ['eval --k -1', ['eval', '<run>', '--k', '-1'], /--k: expected a non-negative integer, got -1/],
    [
      'eval --k too large',
      ['eval', '<run>', '--k', '100000000'],
      /the log-weights of k = 100000000 importance samples for 100 rows \(--k, eval\.k\) \[100000000, 100\] would need 10000000000 float32 values, 40000000000 bytes/,
    ],
    [
      'score --k too large',
      ['score', '<run>', '--score', 'iwae', '--k', '100000000', '--out', '<dir>/scores.csv'],
      /--k: the log-weights of k importance samples for a batch of 100 rows \[100000000, 100\] would need .* bytes/,
    ],
    ['score --limit 0', ['score', '<run>', '--limit', '0', '--out', '<dir>/scores.csv'], /--limit: expected a positive integer, got 0/],
    ['encode --limit -5', ['encode', '<run>', '--limit', '-5', '--out', '<dir>/latents.csv'], /--limit: expected a positive integer, got -5/],
  ];
  for (const [what, args, message] of refused) {
    it(`${what}: exit 2, one clear line, nothing written`, async () => {
      const before = snapshot(run);
      const outside = readdirSync(dir).sort();
      expect(await main(args.map((a) => a.replace('<run>', run).replace('<dir>', dir)))).toBe(2);
      expect(output.err).toMatch(message);
      expect(output.err).not.toMatch(/Invalid typed array length|\n\s+at /);
      expect(snapshot(run)).toEqual(before);
      expect(readdirSync(dir).sort()).toEqual(outside);
    });
  }

  it('eval --k 0 skips IWAE and saves the negative ELBO of the examples asked for', async () => {
    expect(await main(['eval', run, '--k', '0', '--limit', '20', '--json'])).toBe(0);
    const saved = JSON.parse(readFileSync(join(run, 'artifacts', 'evaluation-k0.json'), 'utf8')) as { n: number; negElbo: number; iwae?: number };
    expect(saved.n).toBe(20);
    expect(saved.negElbo).toBeGreaterThan(50);
    expect(saved.iwae).toBeUndefined();
  });
});
