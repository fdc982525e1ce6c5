import { describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Container } from 'inversify';
import { ComponentRegistry, ConfigError, DataError, ParameterStore, Rng, SilentLogger, type BuildContext, type Dataset } from '@elbo/core';
import { datasetsModule } from '../datasets-module.js';
import { sha256Hex } from '../idx/download-verified.js';
import { GridSplit } from './grid-split.js';
import { dspritesSplits, loadDsprites } from './load-dsprites.js';
import { encodeNpy, encodeNpz } from './write-npz.js';
import { rejection, useHttpServer, useTempDir } from '../../test/fixtures.js';

const problems = async (p: Promise<unknown>) => (await rejection(p, ConfigError)).problems;

describe('loadDsprites (generator)', () => {
  it('defaults: train = the whole grid, test = 5,000 fixed random grid points; factors on both', async () => {
    const d = await loadDsprites();
    expect([d.name, d.shape, d.support, d.train.size, d.test.size, d.trainTransform, d.numClasses]).toEqual([
      'dsprites',
      [64, 64, 1],
      'binary',
      737_280,
      5000,
      undefined,
      undefined,
    ]);
    expect(d.describe()).toContain('test = 5000 random grid points (split seed 0, overlapping train)');
    const test = d.test as GridSplit;
    const grid = new Set(test.gridIndices);
    expect(grid.size).toBe(5000);
    // Test factors are the factors of the test examples' grid points, as the train split (the grid) has them.
    const a = new Int32Array(6);
    const b = new Int32Array(6);
    for (const i of [0, 17, 4999]) {
      d.test.factors!.classesOf([i], a);
      d.train.factors!.classesOf([test.gridIndex(i)], b);
      expect(a).toEqual(b);
      expect(d.test.factors!.indexOf(a)).toBe(i);
      expect(d.train.factors!.indexOf(a)).toBe(test.gridIndex(i));
    }
    // A grid point outside the test subset has no index there.
    const absent = [...Array(737_280).keys()].find((g) => !grid.has(g))!;
    d.train.factors!.classesOf([absent], a);
    expect(d.test.factors!.indexOf(a)).toBe(-1);
    // Images of a test example and of its grid point agree.
    const x = new Float32Array(4096);
    const y = new Float32Array(4096);
    d.test.read([17], x);
    d.train.read([test.gridIndex(17)], y);
    expect(x).toEqual(y);
    // Fixed seed: the same split every time, whatever the run seed.
    const again = (await loadDsprites({}, { rng: new Rng(99) })).test as GridSplit;
    expect(again.gridIndices).toEqual(test.gridIndices);
  });

  it('trainSize, disjoint and splitSeed', () => {
    const n = 1000;
    const s = dspritesSplits(n, { testSize: 100, trainSize: 300, disjoint: true, splitSeed: 3 });
    expect([s.train!.length, s.test.length]).toEqual([300, 100]);
    expect(s.test.filter((g) => s.train!.includes(g))).toHaveLength(0);
    const all = dspritesSplits(n, { testSize: 100, disjoint: true, splitSeed: 3 });
    expect(new Set([...all.train!, ...all.test]).size).toBe(n);
    const overlap = dspritesSplits(n, { testSize: 100, trainSize: 300, disjoint: false, splitSeed: 3 });
    expect(overlap.test).toEqual(s.test);
    expect(new Set(overlap.train).size).toBe(300);
    expect(dspritesSplits(n, { testSize: 100, disjoint: false, splitSeed: 4 }).test).not.toEqual(s.test);
    expect(() => dspritesSplits(n, { testSize: 1001, disjoint: false, splitSeed: 0 })).toThrow('dsprites.testSize: expected at most 1000 (the grid size), got 1001');
    expect(() => dspritesSplits(n, { testSize: 100, trainSize: 901, disjoint: true, splitSeed: 0 })).toThrow(
      'dsprites.trainSize: expected at most 900 (the grid size 1000 minus testSize 100, as disjoint is set), got 901',
    );
  });

  it('validates options with config paths', async () => {
    expect(await problems(loadDsprites({ path: '/x.npz' }))).toEqual(['dsprites.path: only used with `source: file`']);
    expect(await problems(loadDsprites({ source: 'file' }))).toEqual(['dsprites: source: file needs `path` (the dSprites .npz) or `url` with `sha256`']);
    expect(await problems(loadDsprites({ source: 'file', url: 'ftp://x/d.npz' }))).toEqual([
      'dsprites.url: expected an http(s) URL, got "ftp://x/d.npz"',
      'dsprites.sha256: required with `url`: the SHA-256 of the file to download',
    ]);
    expect(await problems(loadDsprites({ testSize: 10, sorce: 'file' } as never))).toEqual(['dsprites.sorce: unknown option — did you mean "source"?']);
    expect(await problems(loadDsprites({ testSize: -1 }))).toEqual(['dsprites.testSize: expected a positive integer, got -1']);
  });
});

describe('loadDsprites (file)', () => {
  const body = encodeNpz({ imgs: encodeNpy('|u1', [2, 64, 64], new Uint8Array(2 * 4096)) });
  const dir = useTempDir('dsprites');
  const base = useHttpServer((req, res) => {
    if (req.url === '/dsprites.npz') res.writeHead(200).end(body);
    else res.writeHead(404).end();
  });

  it('a missing file, and a downloaded file that is not dSprites, fail with the file named', async () => {
    const missing = join(dir(), 'absent.npz');
    expect((await rejection(loadDsprites({ source: 'file', path: missing }), DataError)).message).toBe(`${missing}: file not found`);
    const target = join(dir(), 'cache', 'd.npz');
    const f = await rejection(loadDsprites({ source: 'file', url: `${base()}/dsprites.npz`, sha256: sha256Hex(body), path: target }, { logger: new SilentLogger() }), DataError);
    expect(f.message).toBe(`${target}: array "latents_classes" is missing (the file holds: imgs); expected the dSprites arrays imgs, latents_classes, latents_values`);
    expect(await readdir(join(dir(), 'cache'))).toEqual(['d.npz']); // verified, then kept
  });
});

describe('dataset/dsprites component', () => {
  it('is contributed by datasetsModule and builds with defaults filled in', async () => {
    const container = new Container();
    container.load(datasetsModule);
    const registry = ComponentRegistry.fromContainer(container);
    expect(registry.list('dataset').map((c) => c.name)).toContain('dsprites');
    const resolved = registry.resolve('dataset', { name: 'dsprites', testSize: 100 }, 'data');
    expect(resolved.options).toEqual({ source: 'generator', testSize: 100, disjoint: false, splitSeed: 0 });
    const ctx: BuildContext = { container, rng: new Rng(1), logger: new SilentLogger(), params: new ParameterStore('dataset') };
    const d = await registry.create<Dataset>(resolved, ctx);
    expect([d.train.size, d.test.size, d.train.factors?.names]).toEqual([737_280, 100, ['color', 'shape', 'scale', 'orientation', 'posX', 'posY']]);
    expect(() => registry.resolve('dataset', { name: 'dsprites', source: 'file' }, 'data')).toThrow(
      new ConfigError('data: source: file needs `path` (the dSprites .npz) or `url` with `sha256`'),
    );
  });
});
