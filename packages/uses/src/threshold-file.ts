import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, writeFileAtomic, RunFiles } from '@elbo/core';
import type { Calibration } from './calibrate-threshold.js';

/** Where a run keeps its calibrated thresholds, one per score (`neg-elbo`, `iwae-k100`, `recon`). */
export const THRESHOLD_FILE = 'threshold.json';

/** A stored threshold: the calibration, the score it applies to, and what it was computed on. */
export interface StoredThreshold extends Calibration {
  /** Score id (`scoreId`): the threshold only applies to the same score with the same k. */
  readonly score: string;
  /** The calibration input (`test`, a file or folder). */
  readonly input: string;
  /** ISO time of the calibration. */
  readonly calibratedAt: string;
}

interface ThresholdDocument {
  readonly thresholds: Record<string, StoredThreshold>;
}

export function thresholdPath(runDir: string): string {
  return join(runDir, RunFiles.artifacts, THRESHOLD_FILE);
}

/** Every threshold stored with a run (none: an empty record); a damaged file is a ConfigError naming it. */
export async function readThresholds(runDir: string): Promise<Record<string, StoredThreshold>> {
  const file = thresholdPath(runDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return {};
  }
  try {
    const doc = JSON.parse(text) as ThresholdDocument;
    if (!doc || typeof doc.thresholds !== 'object') throw new Error('no "thresholds" object');
    return doc.thresholds;
  } catch (e) {
    throw new ConfigError(`${file}: not a threshold file (${(e as Error).message}); calibrate again to replace it`);
  }
}

/** The stored threshold for one score id, if any. */
export async function readThreshold(runDir: string, score: string): Promise<StoredThreshold | undefined> {
  return (await readThresholds(runDir))[score];
}

/** Stores `entry` with the run (replacing the one for the same score), atomically. */
export async function writeThreshold(runDir: string, entry: StoredThreshold): Promise<string> {
  const thresholds = { ...(await readThresholds(runDir)), [entry.score]: entry };
  const file = thresholdPath(runDir);
  await writeFileAtomic(file, JSON.stringify({ thresholds } satisfies ThresholdDocument, null, 1) + '\n');
  return file;
}
