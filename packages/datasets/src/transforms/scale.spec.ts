import { describe, expect, it } from 'vitest';
import { BYTE_SCALE, scaleBytes } from './scale.js';

describe('scaleBytes', () => {
  it('maps 0..255 to [0,1] as byte/255', () => {
    const x = scaleBytes(Uint8Array.from([0, 51, 255]));
    expect(x).toBeInstanceOf(Float32Array);
    expect(Array.from(x)).toEqual([0, Math.fround(0.2), 1]);
    expect(255 * BYTE_SCALE).toBe(1);
  });
});
