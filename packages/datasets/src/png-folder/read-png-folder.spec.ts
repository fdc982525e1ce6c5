import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError, encodeImageGrid } from '@elbo/core';
import { readPngFolder } from './read-png-folder.js';
import { writePngFolder } from './write-png-folder.js';

const dir = mkdtempSync(join(tmpdir(), 'elbo-png-'));

describe('PNG folders', () => {
  it('round-trips images through writePngFolder and readPngFolder, in natural name order', async () => {
    const img = (v: number) => Float32Array.from({ length: 12 }, (_, i) => (i === 0 ? v : i / 12));
    const folder = join(dir, 'grey');
    await writePngFolder(folder, ['img10.png', 'img2.png'], Float32Array.from([...img(1), ...img(0)]), [3, 4, 1]);
    writeFileSync(join(folder, 'notes.txt'), 'ignored');
    const read = await readPngFolder(folder, [3, 4, 1]);
    expect(read.files).toEqual(['img2.png', 'img10.png']);
    const out = new Float32Array(24);
    read.split.read([0, 1], out);
    expect(out[0]).toBe(0);
    expect(out[12]).toBe(1);
    for (let i = 1; i < 12; i++) expect(out[i]).toBeCloseTo(i / 12, 2); // 8-bit grey levels
  });

  it('reads colour images as RGB and composites transparency over black', async () => {
    const folder = join(dir, 'rgb');
    await writePngFolder(folder, ['a.png'], Float32Array.from([1, 0, 0, 0, 0.5, 1]), [1, 2, 3]);
    const rgb = await readPngFolder(folder, [1, 2, 3]);
    const out = new Float32Array(6);
    rgb.split.read([0], out);
    expect(Array.from(out).map((v) => Math.round(v * 255))).toEqual([255, 0, 0, 0, 128, 255]);
    const grey = await readPngFolder(folder, [1, 2, 1]);
    grey.split.read([0], out);
    expect(out[0]).toBeCloseTo(0.299, 2);
  });

  it('errors name the file and the expected shape', async () => {
    const folder = join(dir, 'mixed');
    mkdirSync(folder);
    writeFileSync(join(folder, 'big.png'), encodeImageGrid([new Float32Array(32 * 32)], { shape: [32, 32, 1], cols: 1, gap: 0 }));
    await expect(readPngFolder(folder, [28, 28, 1])).rejects.toThrow(
      `${join(folder, 'big.png')}: the image is 32×32 pixels; the model takes 28×28 images (data shape [28, 28, 1])`,
    );
    writeFileSync(join(folder, 'big.png'), 'not a png');
    await expect(readPngFolder(folder, [32, 32, 1])).rejects.toThrow(`${join(folder, 'big.png')}: not a readable PNG image`);
    await expect(readPngFolder(join(dir, 'none'), [28, 28, 1])).rejects.toThrow('no such folder');
    mkdirSync(join(dir, 'empty'));
    await expect(readPngFolder(join(dir, 'empty'), [28, 28, 1])).rejects.toThrow('no .png files in the folder (expected 28×28 images)');
    await expect(readPngFolder(folder, [10])).rejects.toBeInstanceOf(DataError);
    await expect(readPngFolder(folder, [10])).rejects.toThrow("this model's data has shape [10]");
  });
});
