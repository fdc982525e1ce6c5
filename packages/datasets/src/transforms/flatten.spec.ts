import { describe, expect, it } from 'vitest';
import { flatten, shapeSize } from './flatten.js';

describe('flatten', () => {
  it('lays examples out row-major, last axis fastest', () => {
    const img = [
      [[1], [2], [3]],
      [[4], [5], [6]],
    ];
    expect(shapeSize([2, 3, 1])).toBe(6);
    expect(Array.from(flatten([img, [7, 8, 9, 10, 11, 12]], [2, 3, 1]))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('rejects examples of the wrong size or depth', () => {
    expect(() => flatten([[1, 2, 3]], [2, 2])).toThrow('example 0 has 3 values, shape [2, 2] needs 4');
    expect(() => flatten([[[[1]]]], [1])).toThrow(/nested deeper than shape \[1\]/);
    expect(() => shapeSize([28, 0])).toThrow(RangeError);
  });
});
