import { describe, expect, it } from 'vitest';
import { MlflowLimits, keyProblem, safeKey, toLogBatches, truncate, wireNumber, type BatchItem } from './log-batches.js';

const metric = (i: number): BatchItem => ({ metric: { key: 'train/loss', value: i, timestamp: 1000 + i, step: i } });
const param = (key: string, value = 'v'): BatchItem => ({ param: { key, value } });

describe('log batches', () => {
  it('sends NaN and ±Infinity as the strings the server reads', () => {
    expect([wireNumber(1.5), wireNumber(NaN), wireNumber(Infinity), wireNumber(-Infinity)]).toEqual([1.5, 'NaN', 'Infinity', '-Infinity']);
    expect(JSON.stringify({ value: wireNumber(NaN) })).toBe('{"value":"NaN"}');
  });

  it('checks keys like the server and repairs the ones it would reject', () => {
    for (const ok of ['train/loss', 'model.encoder.hidden', 'a b:c-d_e', 'größe']) expect(keyProblem(ok)).toBeUndefined();
    expect(keyProblem('a@b')).toMatch(/may only contain/);
    expect(keyProblem('/a')).toMatch(/unique path/);
    expect(keyProblem('a//b')).toMatch(/unique path/);
    expect(keyProblem('a/../b')).toMatch(/unique path/);
    expect(keyProblem('x'.repeat(251))).toMatch(/longer than 250/);
    expect(safeKey('train/loss')).toBe('train/loss');
    expect(safeKey('a@b//c/')).toBe('a_b/c');
    expect(safeKey('x'.repeat(300))).toHaveLength(250);
    expect(keyProblem(safeKey('../../etc'))).toBeUndefined();
  });

  it('truncates long values to the limit in characters (code points), as the server does', () => {
    expect(truncate('abc', 5)).toEqual({ value: 'abc', truncated: false });
    expect(truncate('abcdef', 5)).toEqual({ value: 'abcde', truncated: true });
    const emoji = '😀'.repeat(6); // 12 UTF-16 units, 6 characters
    expect(truncate(emoji, 6).truncated).toBe(false);
    expect(truncate(emoji, 5).value).toBe('😀'.repeat(5));
  });

  it('splits into requests within the per-request limits, in order', () => {
    const metrics = Array.from({ length: 2500 }, (_, i) => metric(i));
    const batches = toLogBatches(metrics);
    expect(batches.map((b) => b.metrics.length)).toEqual([1000, 1000, 500]);
    expect(batches.flatMap((b) => b.metrics.map((m) => m.step))).toEqual(metrics.map((_, i) => i));

    const params = Array.from({ length: 250 }, (_, i) => param(`p${i}`));
    expect(toLogBatches(params).map((b) => b.params.length)).toEqual([100, 100, 50]);

    const mixed = toLogBatches([...Array.from({ length: 950 }, (_, i) => metric(i)), ...Array.from({ length: 80 }, (_, i) => param(`p${i}`))]);
    for (const b of mixed) expect(b.metrics.length + b.params.length + b.tags.length).toBeLessThanOrEqual(MlflowLimits.itemsPerBatch);
    expect(mixed).toHaveLength(2);
  });

  it('never puts the same param key twice in one request, and stays under the byte limit', () => {
    const b = toLogBatches([param('a', '1'), param('b'), param('a', '1')]);
    expect(b.map((x) => x.params.map((p) => p.key))).toEqual([['a', 'b'], ['a']]);
    const big = Array.from({ length: 100 }, (_, i) => param(`p${i}`, 'x'.repeat(6000)));
    const tags: BatchItem[] = Array.from({ length: 100 }, (_, i) => ({ tag: { key: `t${i}`, value: 'y'.repeat(8000) } }));
    for (const batch of toLogBatches([...big, ...tags])) expect(JSON.stringify(batch).length).toBeLessThan(1_000_000);
  });
});
