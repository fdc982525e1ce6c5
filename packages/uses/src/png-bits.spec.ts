import { describe, expect, it } from 'vitest';
import { decode, encode } from 'fast-png';
import { PNG } from 'pngjs';
import { mulberry32 } from '@elbo/core';
import { pngBits } from './png-bits.js';

describe('pngBits (the complexity term of Serrà et al. 2020)', () => {
  it('is the size in bits of a lossless grey PNG of each image, larger for a more complex image', () => {
    const u = mulberry32(3);
    const blank = new Float32Array(784);
    const stroke = new Float32Array(784);
    for (let r = 4; r < 24; r++) stroke[r * 28 + 14] = 1; // a vertical bar, like a 1
    const noise = Float32Array.from({ length: 784 }, () => u());
    const bits = pngBits(Float32Array.from([...blank, ...stroke, ...noise]), [28, 28, 1]);
    expect(bits).toHaveLength(3);
    expect(bits.every((b) => b % 8 === 0)).toBe(true);
    expect(bits[0]!).toBeLessThan(bits[1]!);
    expect(bits[1]!).toBeLessThan(bits[2]!);
    expect(bits[2]! / 8).toBeGreaterThan(700); // uniform noise does not compress below its 784 bytes by much
  });

  it('the PNG is lossless: it decodes to the image rounded to bytes', () => {
    const u = mulberry32(4);
    const img = Float32Array.from({ length: 6 * 5 * 3 }, () => u());
    const [h, w] = [6, 5];
    // Re-encode as pngBits does and decode with pngjs: the grey levels come back exactly.
    const png = new PNG({ width: w, height: h, colorType: 2, inputColorType: 2, inputHasAlpha: false, bitDepth: 8 });
    png.data = Buffer.from(Array.from(img, (v) => Math.round(v * 255)));
    const bytes = PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false, deflateLevel: 9, bitDepth: 8 });
    expect(pngBits(img, [h, w, 3])[0]).toBe(bytes.length * 8);
    const back = PNG.sync.read(bytes);
    expect(Array.from({ length: h * w * 3 }, (_, i) => back.data[Math.floor(i / 3) * 4 + (i % 3)])).toEqual(Array.from(img, (v) => Math.round(v * 255)));
  });

  it('depth 1: a binary image as a 1-bit PNG that decodes to the same pixels, smaller than the 8-bit one', () => {
    const u = mulberry32(5);
    const [h, w] = [28, 28];
    const img = Float32Array.from({ length: h * w }, (_, j) => (Math.abs((j % w) - 14) < 3 && u() < 0.9 ? 1 : 0));
    const bits = pngBits(img, [h, w, 1], { depth: 1 })[0]!;
    expect(pngBits(img, [h, w, 1])[0]).toBeGreaterThan(bits);
    // The 8-bit PNG of the same image, as pngjs writes it (what the score used before).
    const eight = new PNG({ width: w, height: h, colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
    eight.data = Buffer.from(Array.from(img, (v) => v * 255));
    const eightBits = PNG.sync.write(eight, { colorType: 0, inputColorType: 0, inputHasAlpha: false, deflateLevel: 9, bitDepth: 8 }).length * 8;
    expect(bits).toBeLessThan(eightBits);
    // Rebuild the file as pngBits does and decode it: one bit per pixel, each row on a byte.
    const stride = Math.ceil(w / 8);
    const packed = new Uint8Array(stride * h);
    img.forEach((v, j) => v === 1 && (packed[Math.floor(j / w) * stride + ((j % w) >> 3)]! |= 0x80 >> ((j % w) & 7)));
    const file = encode({ width: w, height: h, data: packed, depth: 1, channels: 1 }, { zlib: { level: 9 } });
    expect(file.length * 8).toBe(bits);
    const back = decode(file);
    expect([back.depth, back.channels]).toEqual([1, 1]);
    expect(Array.from(img, (_, j) => (back.data[Math.floor(j / w) * stride + ((j % w) >> 3)]! >> (7 - ((j % w) & 7))) & 1)).toEqual(Array.from(img));
    // Not binary, or not one channel: refused, naming the image and the value.
    const grey = img.slice();
    grey[3] = 0.5;
    expect(() => pngBits(grey, [h, w, 1], { depth: 1 })).toThrow(/image 0 has the value 0.5 at 3/);
    expect(() => pngBits(new Float32Array(12), [2, 2, 3], { depth: 1 })).toThrow(/3 channels/);
  });

  it('refuses data that are not images', () => {
    expect(() => pngBits(new Float32Array(6), [6])).toThrow(/needs images/);
    expect(() => pngBits(new Float32Array(8), [2, 2, 2])).toThrow(/needs images/);
  });
});
