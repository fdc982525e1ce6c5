import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetricPoint, RunInfo } from '@elbo/core';
import { LocalTracker } from './local-tracker.js';
import { readArtifactIndex, readMetrics, readParams, readStatus, parseMetricLines } from './run-files.js';

let root: string;
let runDir: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'elbo-local-tracker-'));
  runDir = join(root, 'runs', 'exp', 'r1');
  await mkdir(join(runDir, 'artifacts'), { recursive: true });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const run = (): RunInfo => ({ runId: 'r1', experiment: 'exp', runDir, startedAt: 1000, config: {}, tags: {} });
const pt = (key: string, value: number, step: number): MetricPoint => ({ key, value, step, timestamp: 5000 + step });

/** Every tracker-owned file parses, and no temp file is left behind. */
async function expectTidy(): Promise<void> {
  for (const f of ['params.json', 'status.json', 'artifacts.json']) JSON.parse(await readFile(join(runDir, f), 'utf8'));
  const text = await readFile(join(runDir, 'metrics.jsonl'), 'utf8');
  expect(text === '' || text.endsWith('\n')).toBe(true);
  for (const line of text.split('\n').filter(Boolean)) JSON.parse(line);
  const all = await readdir(runDir, { recursive: true });
  expect(all.filter((f) => f.includes('.tmp'))).toEqual([]);
}

describe('LocalTracker', () => {
  it('records a run: params, metrics (NaN/±Infinity round-trip), artifacts, FINISHED', async () => {
    const t = new LocalTracker({ now: () => 9000 });
    await t.start(run());
    expect(readStatus(runDir)).toEqual({ status: 'RUNNING', startedAt: 1000 });
    await expectTidy();

    await t.logParams({ 'model.latentDim': 2, 'train.lr': 0.001, 'data.name': 'mnist', 'x.flag': true, 'x.none': null });
    await t.logParams({ 'train.epochs': 3 });
    expect(readParams(runDir)).toEqual({ 'model.latentDim': 2, 'train.lr': 0.001, 'data.name': 'mnist', 'x.flag': true, 'x.none': null, 'train.epochs': 3 });
    await expectTidy();

    const first = [pt('train/loss', 112.4, 1), pt('train/kl', NaN, 1), pt('train/x', Infinity, 1)];
    await t.logMetrics(first);
    await expectTidy();
    const second = [pt('train/x', -Infinity, 2), pt('test/neg_elbo', 98.12, 2)];
    await t.logMetrics(second);
    await expectTidy();
    expect(readMetrics(runDir)).toEqual([...first, ...second]);
    const raw = await readFile(join(runDir, 'metrics.jsonl'), 'utf8');
    expect(raw.split('\n')[1]).toBe('{"key":"train/kl","value":"NaN","step":1,"timestamp":5001}');
    expect(raw).toContain('"value":"Infinity"');
    expect(raw).toContain('"value":"-Infinity"');

    // Written by core inside artifacts/, then announced.
    await writeFile(join(runDir, 'artifacts', 'samples.png'), 'png-bytes');
    await t.logArtifact('samples.png', join(runDir, 'artifacts', 'samples.png'));
    // Lying elsewhere: copied in.
    const outside = join(root, 'state.json');
    await writeFile(outside, '{"w":[1,2]}');
    await t.logArtifact('checkpoint/state.json', outside);
    await expectTidy();
    expect(await readFile(join(runDir, 'artifacts', 'checkpoint', 'state.json'), 'utf8')).toBe('{"w":[1,2]}');
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    expect(readArtifactIndex(runDir)).toEqual({
      'samples.png': { size: 9, sha256: sha('png-bytes') },
      'checkpoint/state.json': { size: 11, sha256: sha('{"w":[1,2]}') },
    });

    await t.finish('FINISHED');
    expect(readStatus(runDir)).toEqual({ status: 'FINISHED', startedAt: 1000, endedAt: 9000 });
    await expectTidy();
  });

  it('indexes a folder artifact file by file and rejects paths outside the artifact root', async () => {
    const t = new LocalTracker();
    await t.start(run());
    const ckpt = join(root, 'ckpt');
    await mkdir(join(ckpt, 'sub'), { recursive: true });
    await writeFile(join(ckpt, 'a.bin'), 'a');
    await writeFile(join(ckpt, 'sub', 'b.bin'), 'bb');
    await t.logArtifact('checkpoint/', ckpt);
    expect(Object.keys(readArtifactIndex(runDir))).toEqual(['checkpoint/a.bin', 'checkpoint/sub/b.bin']);
    expect(await readFile(join(runDir, 'artifacts', 'checkpoint', 'sub', 'b.bin'), 'utf8')).toBe('bb');
    await expect(t.logArtifact('../escape.txt', join(ckpt, 'a.bin'))).rejects.toThrow(/relative to the artifact root/);
    await expect(t.logArtifact('/abs.txt', join(ckpt, 'a.bin'))).rejects.toThrow(/relative to the artifact root/);
    await t.finish('FINISHED');
    await expectTidy();
  });

  it('records FAILED with the error text, and KILLED', async () => {
    const t = new LocalTracker({ now: () => 2000 });
    await t.start(run());
    await t.logMetrics([pt('train/loss', 1, 1)]);
    await t.finish('FAILED', 'out of memory at step 1');
    expect(readStatus(runDir)).toEqual({ status: 'FAILED', startedAt: 1000, endedAt: 2000, error: 'out of memory at step 1' });
    await t.finish('KILLED');
    expect(readStatus(runDir)?.status).toBe('KILLED');
    expect(readStatus(runDir)?.error).toBeUndefined();
    await expectTidy();
  });

  it('on resume, rewrites metrics.jsonl to exactly the history, then appends', async () => {
    const a = new LocalTracker();
    await a.start(run());
    await a.logParams({ 'train.lr': 0.01 });
    const points = [1, 2, 3, 4].map((s) => pt('train/loss', 10 - s, s));
    await a.logMetrics(points);
    await a.finish('KILLED');

    const b = new LocalTracker();
    await b.start(run(), { history: points.slice(0, 2) });
    expect(readMetrics(runDir)).toEqual(points.slice(0, 2));
    expect(readStatus(runDir)?.status).toBe('RUNNING');
    expect(readParams(runDir)).toEqual({ 'train.lr': 0.01 });
    await expectTidy();
    await b.logMetrics([pt('train/loss', 7.5, 3)]);
    expect(readMetrics(runDir).map((p) => [p.step, p.value])).toEqual([
      [1, 9],
      [2, 8],
      [3, 7.5],
    ]);
    await b.finish('FINISHED');
    await expectTidy();
  });

  it('a fresh start empties a stale metrics file; overlapping calls keep their order', async () => {
    await writeFile(join(runDir, 'metrics.jsonl'), '{"key":"old","value":1,"step":1,"timestamp":1}\n');
    const t = new LocalTracker();
    const starting = t.start(run());
    const calls = [t.logMetrics([pt('a', 1, 1)]), t.logMetrics([pt('b', 2, 2)]), t.logMetrics([pt('c', 3, 3)])];
    await Promise.all([starting, ...calls, t.finish('FINISHED')]);
    expect(readMetrics(runDir).map((p) => p.key)).toEqual(['a', 'b', 'c']);
    await expectTidy();
  });

  it('refuses to log before start', async () => {
    await expect(new LocalTracker().logMetrics([pt('a', 1, 1)])).rejects.toThrow(/start\(\) must be called/);
  });
});

describe('run-files readers', () => {
  it('ignore a torn last line but reject a bad line in the middle', () => {
    const good = '{"key":"a","value":1,"step":1,"timestamp":1}\n';
    expect(parseMetricLines(`${good}{"key":"a","val`)).toHaveLength(1);
    expect(() => parseMetricLines(`{"key":"a"\n${good}`)).toThrow(/line 1: not JSON/);
    expect(() => parseMetricLines('{"key":"a","value":"x","step":1,"timestamp":1}\n')).toThrow(/line 1: expected/);
  });

  it('return nothing for a folder the tracker never started', () => {
    expect(readMetrics(runDir)).toEqual([]);
    expect(readStatus(runDir)).toBeUndefined();
    expect(readParams(runDir)).toEqual({});
    expect(readArtifactIndex(runDir)).toEqual({});
  });
});
