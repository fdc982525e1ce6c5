import { describe, expect, it } from 'vitest';
import { FactorGrid, linspace } from './factor-grid.js';
import { dspritesGrid } from './dsprites-grid.js';

describe('linspace', () => {
  it('computes the values numpy stores (bit for bit, checked against numpy 2.4)', () => {
    expect(linspace(0, 2 * Math.PI, 40)[1]).toBe(0.16110731556870733);
    expect(linspace(0, 2 * Math.PI, 40)[39]).toBe(2 * Math.PI);
    expect(linspace(0, 1, 32)[27]).toBe(0.8709677419354839);
    expect(linspace(0.5, 1, 6)).toEqual([0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(linspace(3, 7, 1)).toEqual([3]);
  });
});

describe('dspritesGrid', () => {
  const grid = dspritesGrid();

  it('has the official factor order, class counts and value arrays', () => {
    expect(grid.names).toEqual(['color', 'shape', 'scale', 'orientation', 'posX', 'posY']);
    expect(grid.sizes).toEqual([1, 3, 6, 40, 32, 32]);
    expect(grid.count).toBe(737_280);
    // latents_bases of the official metadata, read as "index = Σ class · base".
    expect(grid.bases).toEqual([737_280, 245_760, 40_960, 1_024, 32, 1]);
    expect(grid.values[0]).toEqual([1]);
    expect(grid.values[1]).toEqual([1, 2, 3]);
    expect(grid.values[2]).toEqual([0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    // The metadata's printed values, to its 8 decimals.
    expect(grid.values[3]!.slice(0, 3).map((v) => +v.toFixed(8))).toEqual([0, 0.16110732, 0.32221463]);
    expect(grid.values[3]![39]).toBe(2 * Math.PI);
    expect(grid.values[4]![1]).toBeCloseTo(0.03225806, 8);
    expect(grid.values[5]).toEqual(grid.values[4]);
  });

  it('maps image index ↔ classes with posY fastest, as the file is ordered', () => {
    const c = new Int32Array(6);
    grid.classesAt(0, c);
    expect(Array.from(c)).toEqual([0, 0, 0, 0, 0, 0]);
    grid.classesAt(1, c);
    expect(Array.from(c)).toEqual([0, 0, 0, 0, 0, 1]);
    grid.classesAt(32, c);
    expect(Array.from(c)).toEqual([0, 0, 0, 0, 1, 0]);
    grid.classesAt(737_279, c);
    expect(Array.from(c)).toEqual([0, 2, 5, 39, 31, 31]);
    for (const i of [0, 1, 1023, 40_961, 500_000, 737_279]) {
      grid.classesAt(i, c);
      expect(grid.indexOf(c)).toBe(i);
    }
    expect(() => grid.classesAt(737_280, c)).toThrow('grid index 737280 is outside 0..737279');
    expect(() => grid.indexOf([0, 3, 0, 0, 0, 0])).toThrow('class 3 of factor shape is outside 0..2');
  });

  it('rejects inconsistent grids', () => {
    expect(() => new FactorGrid(['a'], [2], [[1]])).toThrow('factor grid: a has 2 classes but 1 values');
    expect(() => new FactorGrid(['a', 'b'], [2], [[1, 2]])).toThrow(/must agree/);
  });
});
