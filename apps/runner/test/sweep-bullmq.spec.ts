import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { readMetrics, readStatus } from '@elbo/trackers';
import { sweepCommand } from '../src/commands/sweep.js';
import { main } from '../src/main.js';
import type { SweepState } from '../src/sweep/sweep-folder.js';
import { captureOutput, checkpointEpoch, elboBin, smallMnist, tempDir, writeConfig } from './helpers.js';
import { hasRedis, NetnsHosts, RedisServer, until, WorkerProcess } from './redis-helpers.js';

if (!hasRedis) console.warn('sweep-bullmq.spec.ts: SKIPPED — redis-server is not installed (apt-get install redis-server; .ci/run installs it)');

const output = captureOutput();
const PASSWORD = 'pw-7f3c91d2e8a4';

/** Every file under `dir`, recursively. */
function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** Run folders under `runs` by the run name their config carries. */
function runFolders(runs: string): Map<string, string[]> {
  const by = new Map<string, string[]>();
  for (const d of existsSync(runs) ? readdirSync(runs) : []) {
    const cfg = join(runs, d, 'config.yaml');
    if (d === 'sweeps' || !existsSync(cfg)) continue;
    const name = (parseYaml(readFileSync(cfg, 'utf8')) as { name: string }).name;
    by.set(name, [...(by.get(name) ?? []), join(runs, d)]);
  }
  return by;
}

const curve = (runDir: string) =>
  readMetrics(runDir)
    .filter((p) => /^(train|test|final)\//.test(p.key))
    .map((p) => [p.key, p.step, p.value]);

describe.skipIf(!hasRedis)('elbo sweep with executor bullmq and elbo worker', () => {
  const dir = tempDir('elbo-sweep-bullmq-');
  const runs = join(dir, 'runs', 'test');
  const workers: WorkerProcess[] = [];
  let netns: NetnsHosts | undefined;
  let redis: RedisServer;
  let fallback = '';

  beforeAll(async () => {
    const made = NetnsHosts.create(3);
    netns = made.hosts;
    if (!netns) {
      fallback = made.reason!;
      console.warn(`sweep-bullmq.spec.ts: network namespaces cannot be made here (${fallback}); the three worker hosts are three worker processes on loopback`);
    }
    redis = new RedisServer(join(dir, 'redis'), PASSWORD, ['127.0.0.1', ...(netns?.hostSide ?? [])]);
    await redis.start();
    for (const i of [0, 1, 2]) startWorker(i);
  });
  /** The `elbo sweep` processes a test started: killed afterwards even if the test failed before it killed them. */
  const sweeps: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of sweeps) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const w of workers) await w.stop('SIGKILL');
    await redis?.stop();
    netns?.remove();
  });

  /**
   * The worker on "host" i: in its network namespace, reaching Redis at its host-side address; or on
   * loopback. A trial of sweep s waits after epoch 1 until the file `release/s` exists (hold-plugin.ts).
   */
  const release = join(dir, 'release');
  mkdirSync(release);
  const startWorker = (i: number) => {
    const url = netns ? redis.url(netns.hostSide[i]) : redis.url();
    const args = ['--queue', 'trials', '--runs', join(dir, 'runs'), '--stalled-seconds', '3'];
    workers.push(new WorkerProcess(join(dir, `worker-${i}.log`), url, args, netns?.names[i], { ELBO_TEST_HOLD: release }));
  };
  const logs = () => workers.map((w) => w.output()).join('\n');
  const writeSweep = (name: string, grid: Record<string, unknown[]>, executor: Record<string, unknown>) => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, stringify({ name, base: 'base.yaml', metric: { name: 'test/neg_elbo', goal: 'minimize' }, grid, executor }));
    return file;
  };
  const state = (name: string) => JSON.parse(readFileSync(join(runs, 'sweeps', name, 'state.json'), 'utf8')) as SweepState;
  writeConfig(dir, { ...smallMnist(300, 32, 2), experiment: 'test', plugins: [join(import.meta.dirname, 'hold-plugin.ts')] }, 'base.yaml');
  /** The sweep's trials that wait after epoch 1 (checkpoint written, still RUNNING): [run name, run folders]. */
  const held = (sweep: string) => [...runFolders(runs)].filter(([name, [d]]) => name.startsWith(`${sweep}-`) && readStatus(d!)?.status === 'RUNNING' && checkpointEpoch(d!) >= 1);

  it(`three worker hosts; one killed with SIGKILL mid-trial: its job is taken by another, resumed from the checkpoint, FINISHED once with an uninterrupted run's history`, async () => {
    const hosts = [...workers];
    const file = writeSweep('hosts', { seed: [1, 2, 3] }, { name: 'bullmq', redis: redis.url(), queue: 'trials' });
    const sweep = sweepCommand({ file, set: [], dryRun: false });
    // Every trial waits after epoch 1, its checkpoint written; one worker is killed, then the others go on.
    await until('the three trials at their first checkpoint', () => held('hosts').length === 3);
    const [name, [runDir]] = held('hosts')[0]!;
    const hash = name.slice('hosts-'.length);
    const victim = hosts.find((w) => w.output().includes(`job ${name} (attempt`))!;
    await victim.stop('SIGKILL');
    writeFileSync(join(release, 'hosts'), '');
    expect(await sweep).toBe(0);

    const s = state('hosts');
    expect(s.executor).toBe(`bullmq, queue trials on redis://***@127.0.0.1:${redis.port}`);
    expect(s.trials.map((t) => t.status)).toEqual(['FINISHED', 'FINISHED', 'FINISHED']);
    // One run folder per trial, no metric step twice.
    const folders = runFolders(runs);
    for (const t of s.trials) {
      expect(folders.get(t.name)).toEqual([t.runDir]);
      const points = readMetrics(t.runDir!).map((p) => `${p.key}@${p.step}`);
      expect(new Set(points).size).toBe(points.length);
    }
    // The killed trial was resumed by another worker from its checkpoint, in the same run folder.
    expect(hosts.filter((w) => w !== victim).some((w) => w.output().includes(`elbo train --resume ${runDir}`))).toBe(true);
    // Its history is an uninterrupted run's (seeded runs, bit-identical resume).
    const plain = join(dir, 'plain');
    expect(await main(['train', join(runs, 'sweeps', 'hosts', 'trials', `${hash}.yaml`), '--set', `runs=${plain}`])).toBe(0);
    expect(curve(runDir!)).toEqual(curve(output.out.trim().split('\n').pop()!));
  });

  it('the sweep process killed and Redis restarted mid-sweep: a re-run attaches to the jobs without enqueueing them again; a failing trial is FAILED after its retries without blocking the other', async () => {
    // The two workers left by the test before.
    const file = writeSweep('again', { 'optimizer.lr': [0.001, 10000] }, { name: 'bullmq', queue: 'trials', retries: 1 }); // the second diverges
    const child = spawn(process.execPath, [elboBin, 'sweep', file], { cwd: dir, stdio: 'ignore', env: { ...process.env, ELBO_REDIS_URL: redis.url() } });
    sweeps.push(child);
    const exited = new Promise((r) => child.once('exit', r));
    // The good trial waits at its first checkpoint while the sweep process is killed and Redis restarts.
    await until('the first trial at its first checkpoint', () => held('again').length === 1);
    child.kill('SIGKILL');
    await exited;
    await redis.stop();
    await redis.start();
    const env = process.env['ELBO_REDIS_URL'];
    process.env['ELBO_REDIS_URL'] = redis.url();
    try {
      const again = sweepCommand({ file, set: [], dryRun: false });
      const ok = state('again').trials[0]!.hash;
      await until('the re-run to attach to the running job', () => output.err.includes(`job again-${ok} is active; attached to it`));
      writeFileSync(join(release, 'again'), '');
      expect(await again).toBe(1); // 1: a trial FAILED
    } finally {
      if (env === undefined) delete process.env['ELBO_REDIS_URL'];
      else process.env['ELBO_REDIS_URL'] = env;
    }
    const s = state('again');
    expect(s.trials.map((t) => t.status)).toEqual(['FINISHED', 'FAILED']);
    expect(s.trials[1]!.reason).toMatch(/^training diverged: train\/loss is NaN/);
    const [ok, bad] = s.trials.map((t) => t.hash);
    // Nothing enqueued twice: the good trial ran once. The failing one ran 1 + retries times by
    // BullMQ (twice more if it had already FAILED when the sweep ran again: a re-run retries FAILED trials).
    expect(logs().match(new RegExp(`job again-${ok} \\(attempt`, 'g'))).toHaveLength(1);
    expect([2, 4]).toContain(logs().match(new RegExp(`job again-${bad} \\(attempt`, 'g'))!.length);
    expect(redis.cli('zscore', 'bull:trials:failed', `again-${bad}`)).not.toBe(''); // FAILED in BullMQ too
    expect(logs()).toMatch(new RegExp(`trial ${bad} failed \\(exit status 1\\): training diverged[^\\n]*; its output: ${join(runs, 'sweeps', 'again', 'logs', bad!)}\\.log`));
    expect(runFolders(runs).get(`again-${ok}`)).toHaveLength(1);
    expect(readStatus(s.trials[0]!.runDir!)?.status).toBe('FINISHED');
  });

  it('a worker that cannot write to the runs folder refuses to start (exit 2), naming it', async () => {
    const notAFolder = join(dir, 'base.yaml', 'runs');
    expect(await main(['worker', '--redis', redis.url(), '--runs', notAFolder])).toBe(2);
    expect(output.err).toContain(`error: ${notAFolder}: a worker cannot write to the runs folder (ENOTDIR)`);
    expect(output.err).not.toContain(PASSWORD);
  });

  it('the Redis password appears in no run folder, sweep folder, log or state', () => {
    const written = [...files(join(dir, 'runs')), ...workers.map((w) => w.log)];
    expect(written.length).toBeGreaterThan(20);
    for (const f of written) expect(readFileSync(f).includes(PASSWORD), f).toBe(false);
  });
});
