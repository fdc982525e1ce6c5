import { mkdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { stringify as toYaml, parse as parseYaml } from 'yaml';
import { writeFileAtomic } from '../runtime/files.js';
import { ConfigError } from '../config/config-error.js';
import type { ResolvedRunConfig } from './run-config.js';

/** Layout of a run folder. Core writes config.yaml, checkpoint/ and artifacts/; trackers add their own files. */
export const RunFiles = {
  config: 'config.yaml',
  checkpoint: 'checkpoint',
  artifacts: 'artifacts',
} as const;

/** `20261122-083015-3fa2`: sortable by start time, unique across parallel runs. */
export function newRunId(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const d = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${d}-${randomBytes(2).toString('hex')}`;
}

/** Where a run's folder goes: `<runs>/<experiment>/<run-id>` (absolute). */
export function runFolderPath(config: ResolvedRunConfig, runId: string): string {
  return resolve(config.runs, config.experiment, runId);
}

export async function createRunFolder(config: ResolvedRunConfig, runId = newRunId()): Promise<string> {
  const dir = runFolderPath(config, runId);
  await mkdir(join(dir, RunFiles.artifacts), { recursive: true });
  await writeFileAtomic(join(dir, RunFiles.config), toYaml(config));
  return dir;
}

/** Reads a run folder's saved config; errors name the folder and what is missing. */
export async function readRunConfig(runDir: string): Promise<Record<string, unknown>> {
  const file = join(runDir, RunFiles.config);
  try {
    await stat(runDir);
  } catch {
    throw new ConfigError(`${runDir}: no such run folder`);
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ConfigError(`${runDir}: not a run folder (no ${RunFiles.config})`);
  }
  return parseYaml(text) as Record<string, unknown>;
}

export function runIdOf(runDir: string): string {
  return basename(resolve(runDir));
}

export function experimentOf(runDir: string): string {
  return basename(dirname(resolve(runDir)));
}
