import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DataError, Rng } from '@elbo/core';
import { loadCsv } from './load-csv.js';
import { csvFeaturesPath, isCsvDataset } from './csv-features.js';

const dir = mkdtempSync(join(tmpdir(), 'elbo-csv-'));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** 20 rows: a = i, b = 10 + 2i, constant c, kind cat/dog. */
const table = file('animals.csv', ['a,b,c,kind', ...Array.from({ length: 20 }, (_, i) => `${i},${10 + 2 * i},5,${i % 3 === 0 ? 'cat' : 'dog'}`)].join('\r\n') + '\r\n');

function rows(split: { size: number; dim: number; read(i: ArrayLike<number>, out: Float32Array): void }): number[][] {
  const out = new Float32Array(split.size * split.dim);
  split.read(
    Int32Array.from({ length: split.size }, (_, i) => i),
    out,
  );
  return Array.from({ length: split.size }, (_, i) => Array.from(out.subarray(i * split.dim, (i + 1) * split.dim)));
}

describe('dataset/csv', () => {
  it('selects columns, holds out a seeded share, and standardises with the train statistics', async () => {
    const ds = await loadCsv({ file: table, columns: ['a', 'b'], label: 'kind', testFraction: 0.25 }, { rng: new Rng(4) });
    expect(isCsvDataset(ds)).toBe(true);
    expect([ds.shape, ds.support, ds.numClasses, ds.train.size, ds.test.size]).toEqual([[2], 'continuous', 2, 15, 5]);
    expect(ds.features.labelNames).toEqual(['cat', 'dog']);
    const train = rows(ds.train);
    for (let j = 0; j < 2; j++) {
      const m = train.reduce((s, r) => s + r[j]!, 0) / train.length;
      const v = train.reduce((s, r) => s + (r[j]! - m) ** 2, 0) / train.length;
      expect(m).toBeCloseTo(0, 5);
      expect(v).toBeCloseTo(1, 4);
    }
    // b = 10 + 2a exactly, so both features standardise to the same value; labels follow the rows.
    const test = rows(ds.test);
    for (const r of test) expect(r[0]).toBeCloseTo(r[1]!, 5);
    const { mean, std } = ds.features.standardization!;
    test.forEach((r, k) => {
      const a = Math.round(r[0]! * std[0]! + mean[0]!);
      expect(ds.test.labels![k]).toBe(a % 3 === 0 ? 0 : 1);
    });
    // The same seed gives the same split; another seed another one.
    const again = await loadCsv({ file: table, columns: ['a', 'b'], label: 'kind', testFraction: 0.25 }, { rng: new Rng(4) });
    expect(rows(again.test)).toEqual(test);
    const other = await loadCsv({ file: table, columns: ['a', 'b'], testFraction: 0.25, splitSeed: 99 }, { rng: new Rng(4) });
    expect(rows(other.test)).not.toEqual(test);
  });

  it('uses every column but the label by default, an explicit test file, integer labels as classes', async () => {
    const train = file('train.csv', 'x,y,class\n1,2,0\n3,4,2\n5,6,2\n');
    const test = file('test.csv', 'class,y,x\n1,7,8\n');
    const ds = await loadCsv({ file: train, testFile: test, label: 'class', standardize: false });
    expect([ds.features.columns, ds.numClasses, ds.train.size, ds.test.size]).toEqual([['x', 'y'], 3, 3, 1]);
    expect(rows(ds.test)).toEqual([[8, 7]]); // columns matched by name
    expect(Array.from(ds.train.labels!)).toEqual([0, 2, 2]);
    expect(ds.features.standardization).toBeUndefined();
    const limited = await loadCsv({ file: table, columns: ['a'], limit: { train: 4, test: 2 } });
    expect([limited.train.size, limited.test.size]).toEqual([4, 2]);
    const m = rows(limited.train).reduce((s, r) => s + r[0]!, 0) / 4;
    expect(m).toBeCloseTo(0, 5); // standardised with the statistics of the rows kept
  });

  it('stores columns, classes and standardisation with the run and reuses them on reopening', async () => {
    const run = mkdtempSync(join(tmpdir(), 'elbo-csv-run-'));
    const first = await loadCsv({ file: table, label: 'kind' }, { runDir: run });
    expect(existsSync(csvFeaturesPath(run))).toBe(true);
    const stored = JSON.parse(readFileSync(csvFeaturesPath(run), 'utf8'));
    expect(stored.columns).toEqual(['a', 'b', 'c']);
    expect(stored.standardization.std[2]).toBe(1); // the constant column is only centred
    // Reopened with a file that changed since: the stored transform still applies.
    const changed = file('changed.csv', readFileSync(table, 'utf8').replace('\r\n0,10,', '\r\n100,10,'));
    const reopened = await loadCsv({ file: changed, label: 'kind' }, { runDir: run });
    expect(reopened.features).toEqual(first.features);
    await expect(loadCsv({ file: table, columns: ['a'] }, { runDir: run })).rejects.toThrow('trained on columns a, b, c, but the config now selects a');
  });

  const bad: [string, string, Record<string, unknown>, string][] = [
    ['a field that is not a number', 'h,i\n1,2\n3,x\n', {}, 'line 3, column "i" (2): expected a number, got "x"'],
    ['an empty field', 'h,i\n1,2\n3,\n4,5\n', {}, 'line 3, column "i" (2): expected a number, got an empty field'],
    ['a short row', 'h,i\n1,2\n3\n', {}, 'line 3: 1 fields, expected 2 like the first row'],
    ['an unclosed quote', 'h,i\n1,2\n"3,4\n', {}, 'Quote Not Closed'],
    ['an unknown column', 'h,i\n1,2\n3,4\n', { columns: ['h', 'j'] }, 'no feature column "j" (columns: h, i)'],
    ['an unknown label column', 'h,i\n1,2\n3,4\n', { label: 'y' }, 'no label column "y"'],
    ['an empty label', 'h,y\n1,a\n3,\n5,b\n', { label: 'y' }, 'line 3, column "y" (2): the label is empty'],
    ['a header name twice', 'h,h\n1,2\n', {}, 'column "h" appears twice in the header'],
  ];
  for (const [what, text, opts, message] of bad) {
    it(`${what}: a DataError naming the file and where`, async () => {
      const p = file('bad.csv', text);
      const e = await loadCsv({ file: p, testFraction: 0.5, ...opts }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(DataError);
      expect((e as Error).message).toContain(`${p}: `);
      expect((e as Error).message).toContain(message);
    });
  }

  it('bad options and impossible splits are ConfigErrors', async () => {
    await expect(loadCsv({ file: table, testFraction: 1 })).rejects.toThrow('csv.testFraction: expected a share between 0 and 1');
    await expect(loadCsv({ file: table, label: 'a', columns: ['a'] })).rejects.toThrow('csv.columns: "a" is the label column');
    await expect(loadCsv({ file: file('one.csv', 'a\n1\n') })).rejects.toBeInstanceOf(ConfigError);
    await expect(loadCsv({ file: join(dir, 'missing.csv') })).rejects.toThrow(`${join(dir, 'missing.csv')}: no such file`);
  });
});
