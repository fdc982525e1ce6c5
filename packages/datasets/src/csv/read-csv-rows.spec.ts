import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCsvRows } from './read-csv-rows.js';
import { formatCsv } from './format-csv.js';

const dir = mkdtempSync(join(tmpdir(), 'elbo-csv-rows-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function values(split: { size: number; dim: number; read(i: ArrayLike<number>, out: Float32Array): void }): number[] {
  const out = new Float32Array(split.size * split.dim);
  split.read(
    Int32Array.from({ length: split.size }, (_, i) => i),
    out,
  );
  return Array.from(out);
}

describe('readCsvRows', () => {
  it('reads rows of a CSV run by column name, with its standardisation and classes', async () => {
    const features = { columns: ['a', 'b'], label: 'kind', labelNames: ['cat', 'dog'], standardization: { mean: [1, 10], std: [2, 5] } };
    const rows = await readCsvRows(file('new.csv', 'b,extra,a,kind\n20,x,3,dog\n10,y,1,cat\n'), { dim: 2, shape: [2], features });
    expect(values(rows.split)).toEqual([1, 2, 0, 0]);
    expect(Array.from(rows.split.labels!)).toEqual([1, 0]);
    expect(rows.lines).toEqual([2, 3]);
    await expect(readCsvRows(file('nolabel.csv', 'a,b\n1,10\n'), { dim: 2, shape: [2], features })).resolves.toMatchObject({ split: { size: 1 } });
    await expect(readCsvRows(file('fish.csv', 'a,b,kind\n1,10,fish\n'), { dim: 2, shape: [2], features })).rejects.toThrow(
      'line 2, column "kind" (3): unknown label "fish" (the run\'s classes: cat, dog)',
    );
    await expect(readCsvRows(file('missing.csv', 'a,c\n1,10\n'), { dim: 2, shape: [2], features })).rejects.toThrow('no feature column "b" (columns: a, c)');
  });

  it('reads plain value rows for other runs: header optional, a label column allowed, the width checked', async () => {
    const plain = await readCsvRows(file('plain.csv', '0,0.5,1,0.25\n1,1,1,1\n'), { dim: 4, shape: [2, 2, 1] });
    expect(values(plain.split)).toEqual([0, 0.5, 1, 0.25, 1, 1, 1, 1]);
    expect(plain.split.labels).toBeUndefined();
    const labelled = await readCsvRows(file('labelled.csv', 'p0,p1,p2,label,p3\n0,0,0,7,1\n'), { dim: 4, shape: [2, 2, 1] });
    expect([values(labelled.split), Array.from(labelled.split.labels!)]).toEqual([[0, 0, 0, 1], [7]]);
    const wide = file('wide.csv', '1,2,3\n');
    await expect(readCsvRows(wide, { dim: 784, shape: [28, 28, 1] })).rejects.toThrow(
      `${wide}: rows have 3 value columns, but the model takes 784 values per row (data shape [28, 28, 1])`,
    );
    await expect(readCsvRows(file('text.csv', 'a,b\n1,oops\n'), { dim: 2, shape: [2] })).rejects.toThrow('line 2, column "b" (2): expected a number, got "oops"');
  });
});

describe('formatCsv', () => {
  it('quotes only fields that need it', () => {
    expect(
      formatCsv(
        ['id', 'score'],
        [
          ['a,b', 1.5],
          ['say "hi"', -Infinity],
          ['plain', 2],
        ],
      ),
    ).toBe('id,score\n"a,b",1.5\n"say ""hi""",-Infinity\nplain,2\n');
  });
});
