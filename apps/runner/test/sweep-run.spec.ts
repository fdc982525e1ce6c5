import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { readMetrics, readStatus } from '@elbo/trackers';
import { sweepCommand } from '../src/commands/sweep.js';
import type { SweepState } from '../src/sweep/sweep-folder.js';
import { checkpointEpoch, tempDir, writeConfig, captureOutput } from './helpers.js';

/** Small real trials: 1,000 MNIST digits, one epoch, a 784-64-8 MLP, no IWAE. */
const small = {
  data: { name: 'mnist', binarize: 'dynamic', limit: { train: 1000, test: 200 } },
  model: { latent: 8, encoder: { name: 'mlp', hidden: [64] }, decoder: { name: 'mlp', hidden: [64] }, divergence: { name: 'kl', beta: 1 } },
  train: { epochs: 1, batchSize: 100 },
  eval: { k: 0 },
  tracking: { local: {}, console: false },
};

const output = captureOutput();

/** Run folders of an experiment, each with the run name its config carries. */
function runFolders(runs: string): { dir: string; name: string }[] {
  if (!existsSync(runs)) return [];
  return readdirSync(runs)
    .filter((d) => d !== 'sweeps' && existsSync(join(runs, d, 'config.yaml'))) // a folder being created has none yet
    .map((d) => ({ dir: join(runs, d), name: (parseYaml(readFileSync(join(runs, d, 'config.yaml'), 'utf8')) as { name: string }).name }));
}

/** When a trial's (last) process started and ended, from the lines the executor writes to its log. */
function processSpan(log: string): { start: number; end: number } {
  const text = readFileSync(log, 'utf8');
  const starts = [...text.matchAll(/^--- (\S+): elbo /gm)];
  const ran = [...text.matchAll(/^--- exit \S+ after ([\d.]+) s/gm)];
  const start = Date.parse(starts[starts.length - 1]![1]!);
  return { start, end: start + Number(ran[ran.length - 1]![1]) * 1000 };
}

const state = (sweepDir: string) => JSON.parse(readFileSync(join(sweepDir, 'state.json'), 'utf8')) as SweepState;

/** RFC 4180 enough for the summary: quoted cells may hold commas. */
function parseCsv(text: string): Record<string, string>[] {
  const rows = text
    .trim()
    .split('\n')
    .map((line) => [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)].map((m) => m[1]!.replace(/^"|"$/g, '').replaceAll('""', '"')).slice(0, -1));
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
}

describe('elbo sweep on embedded MNIST', () => {
  const dir = tempDir('elbo-sweep-run-');
  writeConfig(dir, small, 'base.yaml');
  const runs = join(dir, 'runs', 'test');
  const sweepDir = join(runs, 'sweeps', 'lr');
  const file = join(dir, 'lr.yaml');
  writeFileSync(
    file,
    stringify({
      name: 'lr',
      base: 'base.yaml',
      metric: { name: 'test/neg_elbo', goal: 'minimize' },
      grid: { 'optimizer.lr': [0.001, 0.002, 0.004, 10000] }, // the last diverges to NaN
      executor: { name: 'local', workers: 2 },
    }),
  );

  it('runs 4 trials on 2 workers; the diverging one is FAILED with its reason, the others finish', async () => {
    expect(await sweepCommand({ file, set: [], dryRun: false })).toBe(1); // 1: a trial failed
    const s = state(sweepDir);
    expect(s.trials.map((t) => [t.params['optimizer.lr'], t.status, t.attempts])).toEqual([
      [0.001, 'FINISHED', 1],
      [0.002, 'FINISHED', 1],
      [0.004, 'FINISHED', 1],
      [10000, 'FAILED', 1],
    ]);
    const failed = s.trials[3]!;
    expect(failed.reason).toMatch(/^training diverged: train\/loss is NaN in epoch 1/);
    expect(readStatus(failed.runDir!)).toMatchObject({ status: 'FAILED', error: failed.reason });
    // Each trial is an ordinary run with its own run folder, named after the sweep and its hash.
    const folders = runFolders(runs);
    expect(folders.map((f) => f.name).sort()).toEqual(s.trials.map((t) => `lr-${t.hash}`).sort());
    for (const t of s.trials) expect(existsSync(join(sweepDir, 'trials', `${t.hash}.yaml`))).toBe(true);
    expect(readFileSync(join(sweepDir, 'trials.jsonl'), 'utf8').trim().split('\n')).toHaveLength(4);
    // Two workers: some trial processes ran at the same time. Their lifetimes come from the trial logs
    // (start time and seconds run); the runs' own training spans are too short to overlap reliably.
    const spans = s.trials.map((t) => processSpan(join(sweepDir, 'logs', `${t.hash}.log`)));
    expect(spans.some((a, i) => spans.some((b, j) => i !== j && a.start < b.end && b.start < a.end))).toBe(true);
  });

  it('the table and CSV are sorted by the metric and match the run folders; the plot is a PNG; the best is named', () => {
    const rows = parseCsv(readFileSync(join(sweepDir, 'summary.csv'), 'utf8'));
    expect(Object.keys(rows[0]!)).toEqual(['rank', 'trial', 'optimizer.lr', 'status', 'test/neg_elbo', 'run_dir', 'reason']);
    expect(rows.map((r) => r.rank)).toEqual(['1', '2', '3', '']);
    for (const r of rows) {
      expect(readStatus(r.run_dir!)?.status).toBe(r.status);
      // `metric: test/neg_elbo` ranks by the final evaluation, recorded once as final/neg_elbo.
      const recorded = readMetrics(r.run_dir!).filter((m) => m.key === 'final/neg_elbo');
      if (r.status === 'FINISHED') expect([Number(r['test/neg_elbo'])]).toEqual(recorded.map((m) => m.value));
      else expect(r['test/neg_elbo']).toBe('');
    }
    const values = rows.slice(0, 3).map((r) => Number(r['test/neg_elbo']));
    expect([...values].sort((a, b) => a - b)).toEqual(values);
    expect(rows[3]).toMatchObject({ 'optimizer.lr': '10000', status: 'FAILED' });
    expect(rows[3]!.reason).toContain('training diverged');
    const png = readFileSync(join(sweepDir, 'summary.png'));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.length).toBeGreaterThan(5000);
  });

  it('re-running skips the FINISHED trials (no new run folders) and runs the failed one again', async () => {
    const before = runFolders(runs);
    const finished = state(sweepDir).trials.filter((t) => t.status === 'FINISHED');
    expect(await sweepCommand({ file, set: [], dryRun: false })).toBe(1);
    expect(output.err).toContain('4 trials — 3 finished before, 0 to resume, 1 to run');
    const after = runFolders(runs);
    for (const t of finished) expect(after.filter((f) => f.name === t.name).map((f) => f.dir)).toEqual([t.runDir]);
    expect(after).toHaveLength(before.length + 1);
    const s = state(sweepDir);
    expect(s.trials.map((t) => t.attempts)).toEqual([1, 1, 1, 2]);
    // The console table: the best trial first and named below it.
    const best = parseCsv(readFileSync(join(sweepDir, 'summary.csv'), 'utf8'))[0]!;
    const lines = output.out.split('\n');
    expect(lines[0]).toMatch(/^rank\s+trial\s+lr\s+status\s+test\/neg_elbo\s+run\s+reason$/);
    expect(lines[2]).toMatch(new RegExp(`^\\s+1\\s+${best.trial}\\s`));
    expect(output.out).toContain(`best: trial `);
    expect(output.out).toContain(`(${best.trial}) lr=${best['optimizer.lr']} — test/neg_elbo ${Number(best['test/neg_elbo']).toFixed(2)} (minimize) — ${best.run_dir}`);
  });

  it('an interrupted sweep resumes its trial from the checkpoint in the same run folder', async () => {
    writeConfig(dir, { ...small, experiment: 'long', train: { epochs: 20, batchSize: 100 } }, 'long.yaml');
    const longFile = join(dir, 'long-sweep.yaml');
    writeFileSync(longFile, stringify({ base: 'long.yaml', metric: { name: 'test/neg_elbo' }, grid: { seed: [5] } }));
    const longRuns = join(dir, 'runs', 'long');
    const abort = new AbortController();
    const running = sweepCommand({ file: longFile, set: [], dryRun: false, signal: abort.signal });
    const deadline = Date.now() + 90_000;
    const epochOf = checkpointEpoch;
    while (Date.now() < deadline && !runFolders(longRuns).some((f) => epochOf(f.dir) >= 1)) await new Promise((r) => setTimeout(r, 20));
    abort.abort();
    expect(await running).toBe(130);
    const [folder] = runFolders(longRuns);
    const sweepFolder = join(longRuns, 'sweeps', readdirSync(join(longRuns, 'sweeps'))[0]!);
    expect(state(sweepFolder).trials[0]).toMatchObject({ status: 'KILLED', runDir: folder!.dir, reason: 'the sweep was interrupted' });
    expect(readStatus(folder!.dir)?.status).toBe('KILLED');
    const stoppedAt = epochOf(folder!.dir);
    expect(stoppedAt).toBeLessThan(20);

    output.clear();
    expect(await sweepCommand({ file: longFile, set: [], dryRun: false })).toBe(0);
    expect(output.err).toContain('1 trial — 0 finished before, 1 to resume, 0 to run');
    expect(output.err).toContain(`resuming ${folder!.dir}`);
    expect(runFolders(longRuns)).toHaveLength(1);
    expect(readStatus(folder!.dir)?.status).toBe('FINISHED');
    expect(readMetrics(folder!.dir).filter((m) => m.key === 'train/loss')).toHaveLength(20);
    expect(state(sweepFolder).trials[0]).toMatchObject({ status: 'FINISHED', attempts: 2 });
  });
});
