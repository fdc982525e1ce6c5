import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMetrics, readStatus } from '@elbo/trackers';
import { checkpointEpoch, elboBin, repoRoot, smallMnist, tempDir, writeConfig } from './helpers.js';

function elbo(args: string[]) {
  return spawnSync(process.execPath, [elboBin, ...args], { cwd: repoRoot, encoding: 'utf8' });
}

/** Every file of a run folder with the SHA-256 of its contents: what "the run folder is unchanged" compares. */
function snapshot(dir: string, root = dir, out: Record<string, string> = {}): Record<string, string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) snapshot(p, root, out);
    else out[relative(root, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
  }
  return out;
}

const manifestsOf = (runDir: string) =>
  readdirSync(join(runDir, 'checkpoint'))
    .filter((f) => /^manifest-\d+\.json$/.test(f))
    .sort();
/** The newest checkpoint's weights file. */
const newestWeights = (runDir: string) =>
  join(
    runDir,
    'checkpoint',
    readdirSync(join(runDir, 'checkpoint'))
      .filter((f) => f.startsWith('weights-'))
      .sort()
      .at(-1)!,
  );
const comparable = (runDir: string) => readMetrics(runDir).map(({ key, value, step }) => ({ key, value, step }));
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function flipBytes(file: string): void {
  const bytes = readFileSync(file);
  for (let i = 100; i < 164; i++) bytes[i] = bytes[i]! ^ 0xff;
  writeFileSync(file, bytes);
}

describe('checksummed checkpoints', () => {
  const dir = tempDir();
  const file = writeConfig(dir, { ...smallMnist(500, 64, 3), backend: 'wasm' });
  const trained = elbo(['train', file]);
  const runDir = trained.stdout.trim();
  /** A fresh copy of the finished run to damage. */
  const copy = (name: string) => {
    const to = join(dir, 'copies', name);
    cpSync(runDir, to, { recursive: true });
    return to;
  };

  it('keeps the last train.keepCheckpoints (2) checkpoints, each with its manifest', () => {
    expect(trained.status).toBe(0);
    expect(manifestsOf(runDir)).toHaveLength(2);
    expect(readdirSync(join(runDir, 'checkpoint')).filter((f) => f.startsWith('weights-'))).toHaveLength(2);
    expect(checkpointEpoch(runDir)).toBe(3);
    const manifest = JSON.parse(readFileSync(join(runDir, 'checkpoint', manifestsOf(runDir).at(-1)!), 'utf8')) as {
      state: string;
      files: Record<string, { bytes: number; sha256: string }>;
    };
    const weights = newestWeights(runDir);
    const entry = manifest.files[relative(join(runDir, 'checkpoint'), weights)]!;
    expect(entry.bytes).toBe(statSync(weights).size);
    expect(entry.sha256).toBe(createHash('sha256').update(readFileSync(weights)).digest('hex'));
    expect(Object.keys(manifest.files)).toContain(manifest.state);
  });

  it('refuses corrupted weights in --resume, eval, sample and the uses: exit 2 naming the file, no stack trace, nothing written', () => {
    const run = copy('flipped');
    const weights = newestWeights(run);
    flipBytes(weights);
    const before = snapshot(run);
    for (const args of [
      ['train', '--resume', run],
      ['eval', run, '--k', '0'],
      ['sample', run, '--n', '4'],
      // The uses open a run the same way.
      ['score', run, '--out', join(dir, 'scores.csv'), '--limit', '10'],
      ['calibrate', run, '--limit', '20'],
    ]) {
      const r = elbo(args);
      expect(r.status, `elbo ${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(`^error: ${escape(weights)}: SHA-256 mismatch \\(expected [0-9a-f]{64}, got [0-9a-f]{64}\\) — the checkpoint is corrupted; .*--from-previous`, 'm'),
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(snapshot(run)).toEqual(before);
    }
    expect(readStatus(run)?.status).toBe('FINISHED');
    expect(existsSync(join(dir, 'scores.csv'))).toBe(false);
  });

  it('refuses a truncated weights file: exit 2 naming it', () => {
    const run = copy('truncated');
    const weights = newestWeights(run);
    truncateSync(weights, statSync(weights).size - 1000);
    const before = snapshot(run);
    const r = elbo(['train', '--resume', run]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: ${escape(weights)}: \\d+ bytes, manifest-\\d+\\.json says \\d+ — the checkpoint is truncated`, 'm'));
    expect(snapshot(run)).toEqual(before);
  });

  it('--resume --from-previous after the latest is corrupted finishes with the metrics of the uninterrupted run', () => {
    const run = copy('previous');
    const reference = comparable(run);
    flipBytes(newestWeights(run));
    const r = elbo(['train', '--resume', run, '--from-previous']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`resuming ${run} after epoch 2`);
    expect(readStatus(run)?.status).toBe('FINISHED');
    const after = comparable(run);
    expect(after).toEqual(reference);
    expect(new Set(after.map((m) => `${m.key}@${m.step}`)).size).toBe(after.length); // no (key, step) twice
    expect(after.filter((m) => m.key === 'train/loss')).toHaveLength(3);
    // The corrupted checkpoint is replaced by a good one: a plain eval works again.
    expect(manifestsOf(run)).toHaveLength(2);
    expect(elbo(['eval', run, '--k', '0']).status).toBe(0);
    // eval added its metrics to the checkpoint under a new manifest: it still verifies.
    expect(elbo(['sample', run, '--n', '4']).status).toBe(0);
  });

  it('--from-previous without a checkpoint before the latest is refused', () => {
    const run = copy('single');
    rmSync(join(run, 'checkpoint', manifestsOf(run)[0]!));
    const r = elbo(['train', '--resume', run, '--from-previous']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no checkpoint before the latest is kept (train.keepCheckpoints)');
  });

  it('loads a checkpoint written before manifests, with a note', () => {
    const run = copy('legacy');
    const ck = join(run, 'checkpoint');
    const newest = JSON.parse(readFileSync(join(ck, manifestsOf(run).at(-1)!), 'utf8')) as { state: string };
    writeFileSync(join(ck, 'state.json'), readFileSync(join(ck, newest.state)));
    for (const f of readdirSync(ck)) if (f.startsWith('manifest-') || f.startsWith('state-')) rmSync(join(ck, f));
    const r = elbo(['eval', run, '--k', '0']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${ck}: a checkpoint without a manifest (written before checksums); loading it unverified`);
    expect(r.stderr.match(/without a manifest/g)).toHaveLength(1);
  });
});
