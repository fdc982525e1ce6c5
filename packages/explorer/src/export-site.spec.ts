import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@elbo/core';
import { readSavedModel } from './export-site.js';

const root = mkdtempSync(join(tmpdir(), 'elbo-export-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function runFolder(name: string, status: string | undefined, files: Record<string, string>): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'artifacts', 'model'), { recursive: true });
  if (status) writeFileSync(join(dir, 'status.json'), JSON.stringify({ status }));
  for (const [f, content] of Object.entries(files)) writeFileSync(join(dir, 'artifacts', 'model', f), content);
  return dir;
}

describe('readSavedModel', () => {
  it('refuses a folder that is not a run', async () => {
    const dir = runFolder('not-a-run', undefined, {});
    await expect(readSavedModel(dir)).rejects.toThrow(ConfigError);
    await expect(readSavedModel(dir)).rejects.toThrow(`${dir}: not a run folder (no status.json)`);
  });

  it('names the file a run without a finished model lacks', async () => {
    const running = runFolder('running', 'RUNNING', {});
    await expect(readSavedModel(running)).rejects.toThrow(`no finished model to show: ${join(running, 'artifacts', 'model', 'model.json')} is missing (the run is RUNNING`);
    const half = runFolder('half', 'FINISHED', { 'model.json': '{}' });
    await expect(readSavedModel(half)).rejects.toThrow(`${join(half, 'artifacts', 'model', 'weights.bin')} is missing`);
  });

  it('refuses a model file of another format, and reads one of this format', async () => {
    const other = runFolder('other', 'FINISHED', { 'model.json': JSON.stringify({ format: 'keras' }), 'weights.bin': '' });
    await expect(readSavedModel(other)).rejects.toThrow('expected format "elbo-model/1", got "keras"');
    const ok = runFolder('ok', 'FINISHED', { 'model.json': JSON.stringify({ format: 'elbo-model/1', tensors: [] }), 'weights.bin': '' });
    const { saved, weights } = await readSavedModel(ok);
    expect(saved.format).toBe('elbo-model/1');
    expect(weights).toBe(join(ok, 'artifacts', 'model', 'weights.bin'));
  });
});
