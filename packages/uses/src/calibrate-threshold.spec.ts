import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrateThreshold, flagAnomalies } from './calibrate-threshold.js';
import { readThreshold, readThresholds, thresholdPath, writeThreshold } from './threshold-file.js';

describe('calibrateThreshold', () => {
  it('lets through at most ⌊fpr·n⌋ of the normal scores', () => {
    const scores = Array.from({ length: 100 }, (_, i) => 99 - i); // 0 … 99, shuffled order
    const c = calibrateThreshold(scores, 0.05);
    expect(c).toEqual({ threshold: 94, fpr: 0.05, achievedFpr: 0.05, n: 100 });
    expect(Array.from(flagAnomalies(scores, c.threshold)).reduce((a, b) => a + b, 0)).toBe(5);
    expect(calibrateThreshold(scores, 0.001).threshold).toBe(99); // ⌊0.1⌋ = 0 allowed: the maximum
  });

  it('stays at or below the target when scores tie', () => {
    const c = calibrateThreshold([1, 1, 1, 1, 2, 2, 2, 2, 2, 2], 0.3);
    expect(c.threshold).toBe(2);
    expect(c.achievedFpr).toBe(0);
  });

  it('rejects rates outside (0, 1) and empty or NaN scores', () => {
    expect(() => calibrateThreshold([1, 2], 0)).toThrow('fpr: expected a rate between 0 and 1');
    expect(() => calibrateThreshold([1, 2], 1.5)).toThrow('got 1.5');
    expect(() => calibrateThreshold([], 0.1)).toThrow('no calibration scores');
    expect(() => calibrateThreshold([1, NaN], 0.1)).toThrow('NaN');
  });
});

describe('threshold file', () => {
  const entry = { score: 'iwae-k50', input: 'test', calibratedAt: '2026-01-01T00:00:00.000Z', threshold: 120.5, fpr: 0.05, achievedFpr: 0.049, n: 1000 };

  it('stores one threshold per score in <run>/artifacts/threshold.json, atomically', async () => {
    const run = mkdtempSync(join(tmpdir(), 'elbo-threshold-'));
    expect(await readThresholds(run)).toEqual({});
    expect(await writeThreshold(run, entry)).toBe(thresholdPath(run));
    await writeThreshold(run, { ...entry, score: 'recon', threshold: 7 });
    await writeThreshold(run, { ...entry, threshold: 121 });
    expect(await readThreshold(run, 'iwae-k50')).toEqual({ ...entry, threshold: 121 });
    expect((await readThreshold(run, 'recon'))?.threshold).toBe(7);
    expect(await readThreshold(run, 'neg-elbo')).toBeUndefined();
    expect(JSON.parse(readFileSync(thresholdPath(run), 'utf8')).thresholds['recon'].score).toBe('recon');
    expect(readdirSync(join(run, 'artifacts'))).toEqual(['threshold.json']); // no temp files left
  });

  it('a damaged file is an error naming it', async () => {
    const run = mkdtempSync(join(tmpdir(), 'elbo-threshold-'));
    mkdirSync(join(run, 'artifacts'));
    writeFileSync(thresholdPath(run), '{ "thresholds": ');
    await expect(readThresholds(run)).rejects.toThrow(`${thresholdPath(run)}: not a threshold file`);
  });
});
