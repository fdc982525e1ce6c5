import { describe, expect, it } from 'vitest';
import { InMemorySplit } from './in-memory-split.js';

describe('InMemorySplit', () => {
  it('reads rows by index, scaling bytes on read', () => {
    const s = new InMemorySplit(Uint8Array.from([0, 255, 51, 102, 204, 255]), 2, Int32Array.from([4, 5, 6]), 1 / 255);
    expect([s.size, s.dim]).toEqual([3, 2]);
    const out = new Float32Array(4);
    s.read([2, 0], out);
    expect(Array.from(out)).toEqual([0.8, 1, 0, 1].map(Math.fround));
    const p = s.prefix(2);
    expect([p.size, Array.from(p.labels!)]).toEqual([2, [4, 5]]);
    expect(s.prefix(10)).toBe(s);
  });

  it('rejects inconsistent buffers and bad indices', () => {
    expect(() => new InMemorySplit(new Float32Array(5), 2)).toThrow('5 values do not split into examples of 2');
    expect(() => new InMemorySplit(new Float32Array(4), 2, new Int32Array(3))).toThrow('3 labels for 2 examples');
    const s = new InMemorySplit(new Float32Array(4), 2);
    expect(() => s.read([1.5], new Float32Array(2))).toThrow('example index 1.5 is outside 0..1');
    expect(() => s.read([-1], new Float32Array(2))).toThrow(RangeError);
    expect(() => s.read([0, 1], new Float32Array(3))).toThrow('out holds 3 values, 2 examples need 4');
  });
});
