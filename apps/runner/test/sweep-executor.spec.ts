import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ComponentRegistry, ParameterStore, Rng, SilentLogger, createContainer, validate } from '@elbo/core';
import type { TrialExit, TrialJob } from '../src/sweep/executor.js';
import { LocalExecutor } from '../src/sweep/local-executor.js';
import { RunLocator } from '../src/sweep/run-locator.js';
import type { TrialRecord } from '../src/sweep/sweep-folder.js';
import { recordExit, type NamedTrial } from '../src/sweep/trial-status.js';
import { sweepModule } from '../src/sweep/sweep-module.js';
import { tempDir } from './helpers.js';

/** A stand-in for `elbo`: `ok <ms>` prints and exits 0 after ms, `fail` exits 3 with an error line, `stubborn` ignores SIGTERM. */
const FAKE = `
const [what, arg] = process.argv.slice(1);
if (what === 'ok') setTimeout(() => { console.log('/no/such/run'); }, Number(arg));
if (what === 'fail') { console.error('backend: cpu'); console.error('error: something broke'); process.exit(3); }
if (what === 'stubborn') { process.on('SIGTERM', () => console.error('ignoring SIGTERM')); setInterval(() => {}, 1000); }
`;
const command = [process.execPath, '-e', FAKE];
const dir = tempDir('elbo-sweep-executor-');
const job = (id: string, args: string[], timeoutMs?: number): TrialJob => ({
  id,
  args,
  cwd: dir,
  logFile: join(dir, 'logs', `${id}.log`),
  ...(timeoutMs !== undefined ? { timeoutMs } : {}),
});

async function runAll(executor: LocalExecutor, jobs: TrialJob[], signal?: AbortSignal) {
  let running = 0;
  let most = 0;
  const exits = new Map<string, TrialExit>();
  const order: string[] = [];
  await executor.run(
    jobs,
    {
      started: (j) => {
        order.push(j.id);
        most = Math.max(most, ++running);
      },
      ended: (j, e) => {
        running -= 1;
        exits.set(j.id, e);
      },
    },
    signal,
  );
  return { exits, most, order };
}

describe('executor/local', () => {
  it('is a component of kind executor, built by the registry from its options', async () => {
    const { container, registry } = createContainer([sweepModule]);
    expect(registry).toBeInstanceOf(ComponentRegistry);
    const d = registry.get('executor', 'local');
    const r = validate(d.options, {}, 'executor');
    expect(r).toEqual({ ok: true, value: { workers: 2 } });
    const made = await d.create({ workers: 3 }, { container, rng: new Rng(0), logger: new SilentLogger(), params: new ParameterStore('executor') });
    expect(made).toBeInstanceOf(LocalExecutor);
    expect((made as LocalExecutor).description).toBe('local, 3 workers');
  });

  it('runs every job, never more than `workers` at once, in order', async () => {
    const ex = new LocalExecutor({ workers: 2 }, { command });
    const { exits, most, order } = await runAll(
      ex,
      ['a', 'b', 'c', 'd', 'e'].map((id) => job(id, ['ok', '300'])),
    );
    expect(order).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(most).toBe(2);
    expect([...exits.values()].every((e) => e.exitCode === 0 && e.stdout === '/no/such/run\n' && !e.timedOut)).toBe(true);
    expect(readFileSync(join(dir, 'logs', 'a.log'), 'utf8')).toMatch(/^--- .*: elbo ok 300\n\/no\/such\/run\n--- exit 0 after/);
  });

  it('reports a failing job and goes on with the others', async () => {
    const { exits } = await runAll(new LocalExecutor({ workers: 1 }, { command }), [job('f', ['fail']), job('g', ['ok', '10'])]);
    expect(exits.get('f')).toMatchObject({ exitCode: 3, timedOut: false, interrupted: false });
    expect(exits.get('f')!.stderrTail).toContain('error: something broke');
    expect(exits.get('g')!.exitCode).toBe(0);
  });

  it('stops a job at its time limit: SIGTERM, then SIGKILL after the grace period', async () => {
    const { exits } = await runAll(new LocalExecutor({ workers: 2 }, { command, killGraceMs: 300 }), [job('slow', ['ok', '30000'], 300), job('stubborn', ['stubborn'], 2000)]); // time to install its SIGTERM handler on a loaded machine
    expect(exits.get('slow')).toMatchObject({ exitCode: null, signal: 'SIGTERM', timedOut: true });
    expect(exits.get('stubborn')).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: true });
    expect(exits.get('slow')!.seconds).toBeLessThan(10);
  });

  it('on abort starts nothing more and stops the running jobs', async () => {
    const abort = new AbortController();
    const ex = new LocalExecutor({ workers: 1 }, { command });
    setTimeout(() => abort.abort(), 500);
    const { exits, order } = await runAll(ex, [job('x', ['ok', '30000']), job('y', ['ok', '10'])], abort.signal);
    expect(order).toEqual(['x']);
    expect(exits.get('x')).toMatchObject({ interrupted: true, signal: 'SIGTERM' });
  });
});

describe('recording how a trial ended', () => {
  const trial = { index: 0, hash: 'abc', name: 'nowhere-abc', params: {}, config: { runs: join(dir, 'runs'), experiment: 'x' } } as unknown as NamedTrial;
  const record: TrialRecord = { index: 0, hash: 'abc', name: 'nowhere-abc', params: {}, status: 'RUNNING', attempts: 1 };
  const exit = (e: Partial<TrialExit>): TrialExit => ({ exitCode: 1, signal: null, timedOut: false, interrupted: false, stdout: '', stderrTail: '', seconds: 1.23, ...e });
  const rec = (e: Partial<TrialExit>) => recordExit(trial, record, exit(e), new RunLocator(), 60);

  it('a time limit, an interruption, an error line, an exit status', async () => {
    expect(await rec({ exitCode: null, signal: 'SIGTERM', timedOut: true })).toMatchObject({ status: 'FAILED', reason: 'exceeded the time limit of 60 s', seconds: 1.2 });
    expect(await rec({ exitCode: 130, interrupted: true })).toMatchObject({ status: 'KILLED', reason: 'the sweep was interrupted' });
    expect(await rec({ exitCode: 1, stderrTail: 'backend: wasm\nerror: out of memory\n' })).toMatchObject({ status: 'FAILED', reason: 'out of memory' });
    expect(await rec({ exitCode: null, signal: 'SIGSEGV' })).toMatchObject({ status: 'FAILED', reason: 'ended by SIGSEGV' });
    expect(await rec({ exitCode: 0, stdout: '/no/such/run\n' })).toMatchObject({ status: 'FAILED', reason: 'the run ended without recording FINISHED in a run folder' });
  });
});
