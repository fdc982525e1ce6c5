/**
 * `elbo sweep` with executor bullmq and `elbo worker` on three worker hosts (network namespaces),
 * against a real redis-server and a real MLflow server, both started and stopped here. The
 * scenarios share the servers and the workers (one worker is killed by the first and stays dead):
 * a 12-trial sweep with a worker SIGKILLed, compared with the same sweep on executor local and in
 * MLflow; then ASHA on bullmq through a killed sweep process, a Redis restart, a Ctrl-C and a
 * failing trial. The trials are tiny (100 digits, 8 hidden units, 2 steps an epoch): what costs is
 * starting an `elbo` process, so every trial here earns its place.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { readMetrics, readStatus } from '@elbo/trackers';
import { allMetrics, asRecord, experimentByName, searchRuns, startMlflowServer, type MlflowServer, type StoredRun } from '@elbo/trackers/testing';
import { sweepCommand } from '../src/commands/sweep.js';
import { main } from '../src/main.js';
import type { SweepState } from '../src/sweep/sweep-folder.js';
import { captureOutput, checkpointEpoch, elboBin, tempDir, writeConfig } from './helpers.js';
import { hasRedis, NetnsHosts, RedisServer, TcpRelay, until, WorkerProcess } from './redis-helpers.js';

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

const runNames = new Map<string, string>();
/** Run folders under `runs` by the run name their config carries. */
function runFolders(runs: string): Map<string, string[]> {
  const by = new Map<string, string[]>();
  for (const d of existsSync(runs) ? readdirSync(runs) : []) {
    const cfg = join(runs, d, 'config.yaml');
    if (d === 'sweeps' || !existsSync(cfg)) continue;
    const name = runNames.get(cfg) ?? (parseYaml(readFileSync(cfg, 'utf8')) as { name: string }).name;
    runNames.set(cfg, name);
    by.set(name, [...(by.get(name) ?? []), join(runs, d)]);
  }
  return by;
}

/** A run's metric history as [key, step, value], in the order written. */
const curve = (runDir: string) =>
  readMetrics(runDir)
    .filter((p) => /^(train|test|final)\//.test(p.key))
    .map((p) => [p.key, p.step, p.value] as const);

/** `key@step` of every point a history holds more than once. */
const repeated = (points: readonly { key: string; step: number }[]) => {
  const seen = new Set<string>();
  return points.map((p) => `${p.key}@${p.step}`).filter((k) => seen.has(k) || !seen.add(k));
};

const steps = (runDir: string, key = 'train/loss') =>
  readMetrics(runDir)
    .filter((p) => p.key === key)
    .map((p) => p.step);

/**
 * The smallest trial that still trains, evaluates and checkpoints every epoch; eager steps, since on
 * the native backend compiling a step costs seconds more than these trials train.
 */
const tiny = (epochs: number, tracking: Record<string, unknown> = {}) => ({
  experiment: 'test',
  seed: 3,
  data: { name: 'mnist', binarize: 'dynamic', limit: { train: 100, test: 20 } },
  model: { latent: 4, encoder: { name: 'mlp', hidden: [8] }, decoder: { name: 'mlp', hidden: [8] } },
  train: { epochs, batchSize: 50, checkpointEvery: 1, compile: 'off' },
  eval: { k: 0 },
  tracking: { local: {}, console: false, ...tracking },
  plugins: [join(import.meta.dirname, 'hold-plugin.ts')],
});

describe.skipIf(!hasRedis)('elbo sweep with executor bullmq and elbo worker', () => {
  const dir = tempDir('elbo-sweep-bullmq-');
  const runs = join(dir, 'runs', 'test');
  const workers: WorkerProcess[] = [];
  /** The `elbo sweep` processes a test started: killed afterwards even if the test failed before it killed them. */
  const sweeps: ChildProcess[] = [];
  let netns: NetnsHosts | undefined;
  let redis: RedisServer;
  let mlflow: MlflowServer | undefined;
  let relay: TcpRelay | undefined;
  /** The MLflow server as every host reaches it. */
  let mlflowUri = '';
  const savedEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('MLFLOW_') || k === 'ELBO_REDIS_URL'));

  /**
   * The worker on "host" i: in its network namespace, reaching Redis at its host-side address; or on
   * loopback. A trial of sweep s waits after epoch 1 until the file `release/s` exists (hold-plugin.ts).
   */
  const release = join(dir, 'release');
  mkdirSync(release);
  const startWorker = (i: number) => {
    const url = netns ? redis.url(netns.hostSide[i]) : redis.url();
    // 5 s: a killed worker's job is taken again within 10 s, and a worker starved of CPU by a loaded machine keeps its locks.
    const args = ['--queue', 'trials', '--runs', join(dir, 'runs'), '--stalled-seconds', '5'];
    workers.push(new WorkerProcess(join(dir, `worker-${i}.log`), url, args, netns?.names[i], { ELBO_TEST_HOLD: release }));
  };

  beforeAll(async () => {
    for (const k of Object.keys(savedEnv)) delete process.env[k];
    const made = NetnsHosts.create(3);
    netns = made.hosts;
    if (!netns) {
      console.warn(
        `sweep-bullmq.spec.ts: network namespaces cannot be made here (${made.reason}); the three worker hosts are three worker processes on loopback — the same scenarios, without separate network stacks`,
      );
    }
    redis = new RedisServer(join(dir, 'redis'), PASSWORD, ['127.0.0.1', ...(netns?.hostSide ?? [])]);
    const started = startMlflowServer().then((m) => (mlflow = m));
    await redis.start();
    for (const i of [0, 1, 2]) startWorker(i);
    const server = await started;
    if (netns) {
      // The MLflow test server listens on loopback only: a relay on the first host-side address, which every namespace routes to.
      relay = new TcpRelay(netns.hostSide[0]!, server.port);
      await relay.start();
      mlflowUri = `http://${netns.hostSide[0]}:${relay.port}`;
    } else mlflowUri = server.uri;
    writeConfig(dir, tiny(2, { mlflow: { experiment: 'sweeps', trackingUri: mlflowUri, artifacts: false } }), 'tracked.yaml');
    writeConfig(dir, tiny(3), 'plain.yaml');
  }, 900_000);

  afterAll(async () => {
    for (const c of sweeps) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const w of workers) await w.stop('SIGKILL');
    await redis?.stop();
    await relay?.stop();
    await mlflow?.dispose();
    netns?.remove();
    Object.assign(process.env, savedEnv);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const logs = () => workers.map((w) => w.output()).join('\n');
  const writeSweep = (name: string, base: string, grid: Record<string, unknown[]>, executor: Record<string, unknown>, scheduler?: Record<string, unknown>) => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, stringify({ name, base, metric: { name: 'test/neg_elbo', goal: 'minimize' }, grid, ...(scheduler ? { scheduler } : {}), executor }));
    return file;
  };
  const state = (name: string) => JSON.parse(readFileSync(join(runs, 'sweeps', name, 'state.json'), 'utf8')) as SweepState;
  const csv = (name: string) => readFileSync(join(runs, 'sweeps', name, 'summary.csv'), 'utf8');
  /** The sweep's trials that wait after epoch 1 (checkpoint written, still RUNNING): [run name, run folders]. */
  const held = (sweep: string) => [...runFolders(runs)].filter(([name, [d]]) => name.startsWith(`${sweep}-`) && readStatus(d!)?.status === 'RUNNING' && checkpointEpoch(d!) >= 1);
  /** How many times a worker started the job. */
  const attempts = (key: string) => logs().match(new RegExp(`job ${key} \\(attempt`, 'g'))?.length ?? 0;

  it('12 trials on three worker hosts, one worker SIGKILLed mid-trial: each FINISHED once, the CSV of the same sweep on executor local, one nested MLflow run per trial', async () => {
    const hosts = [...workers];
    const grid = { seed: [1, 2, 3, 4], 'optimizer.lr': [0.001, 0.003, 0.01] };
    const file = writeSweep('hosts', 'tracked.yaml', grid, { name: 'bullmq', redis: redis.url(), queue: 'trials' });
    // The same sweep on executor local, at the same time: the same base, so the same trial hashes
    // (its runs are `local-<hash>`); no hold there (the plugin holds only where a worker sets ELBO_TEST_HOLD).
    const local = sweepCommand({ file: writeSweep('local', 'tracked.yaml', grid, { name: 'local', workers: 2 }), set: [], dryRun: false });
    const sweep = sweepCommand({ file, set: [], dryRun: false });
    // A trial on each host waits after epoch 1, its checkpoint written; one host's worker is killed, then the others go on.
    await until('a trial at its first checkpoint on each host', () => held('hosts').length === 3, 120_000);
    const [victimName, [victimDir]] = held('hosts')[0]!;
    const victim = hosts.find((w) => w.output().includes(`job ${victimName} (attempt`))!;
    await victim.stop('SIGKILL');
    writeFileSync(join(release, 'hosts'), '');
    expect(await sweep).toBe(0);
    expect(await local).toBe(0);

    const s = state('hosts');
    expect(s.executor).toBe(`bullmq, queue trials on redis://***@127.0.0.1:${redis.port}`);
    expect(s.trials.map((t) => t.status)).toEqual(Array(12).fill('FINISHED'));
    // One run folder per trial, no metric step twice. (A job may start more than once — the killed
    // one did, and a worker that misses a lock renewal hands its trial on the same way — but every
    // start goes on in the trial's one run folder.)
    const folders = runFolders(runs);
    for (const t of s.trials) {
      expect(folders.get(t.name)).toEqual([t.runDir]);
      expect(repeated(readMetrics(t.runDir!)), t.name).toEqual([]);
    }
    expect(attempts(victimName)).toBeGreaterThanOrEqual(2);
    // The killed trial was resumed by a worker on another host from its checkpoint, in the same run folder.
    expect(hosts.filter((w) => w !== victim).some((w) => w.output().includes(`elbo train --resume ${victimDir}`))).toBe(true);
    expect(victim.output()).not.toContain(`elbo train --resume ${victimDir}`);

    // The CSV is the local executor's (seeded runs, bit-identical resume), but for run_dir: the two
    // sweeps' run folders are different folders (`hosts-<hash>/…` and `local-<hash>/…`).
    const rows = (name: string) => csv(name).trim().split('\n');
    const [header, ...body] = rows('hosts');
    expect(header).toBe('rank,trial,seed,optimizer.lr,status,test/neg_elbo,run_dir,reason');
    expect(csv('hosts')).not.toContain('"'); // no quoted cells: a split on commas is the parse
    const runDirColumn = header!.split(',').indexOf('run_dir');
    const without = (row: string) => row.split(',').filter((_, i) => i !== runDirColumn);
    expect(body).toHaveLength(12);
    expect(body.map(without)).toEqual(rows('local').slice(1).map(without));
    expect(body.map((r) => r.split(',')[runDirColumn])).toEqual(body.map((r) => s.trials.find((t) => t.hash === r.split(',')[1])!.runDir));
    // …and each trial's whole history is the local run's, the killed and resumed one included.
    const localRuns = state('local').trials;
    for (const t of s.trials) expect(curve(t.runDir!), t.name).toEqual(curve(localRuns.find((l) => l.hash === t.hash)!.runDir!));

    // MLflow: one parent run for the sweep, exactly one nested run per trial, FINISHED, each with
    // the history of its run folder and no step twice.
    const experiment = await experimentByName(mlflow!.uri, 'sweeps');
    const all = await searchRuns(mlflow!.uri, experiment!.experiment_id);
    const parents = all.filter((r) => asRecord(r.data.tags)['elbo.sweep'] === 'hosts');
    expect(parents).toHaveLength(1);
    expect(parents[0]!.info.status).toBe('FINISHED');
    expect(s.reporters?.['mlflow']).toEqual({ trackingUri: mlflowUri, runId: parents[0]!.info.run_id });
    const children = all.filter((r) => asRecord(r.data.tags)['mlflow.parentRunId'] === parents[0]!.info.run_id);
    const runId = (r: StoredRun) => asRecord(r.data.tags)['elbo.run_id'];
    expect(children.map(runId).sort()).toEqual(s.trials.map((t) => basename(t.runDir!)).sort());
    for (const c of children) {
      const t = s.trials.find((r) => basename(r.runDir!) === runId(c))!;
      expect(c.info.status, t.name).toBe('FINISHED');
      const stored = await allMetrics(mlflow!.uri, c.info.run_id);
      expect(repeated(stored), t.name).toEqual([]);
      const key = (p: { key: string; step: number; value: number }) => `${p.key}@${p.step}=${p.value}`;
      expect(stored.map(key).sort(), t.name).toEqual(readMetrics(t.runDir!).map(key).sort());
      if (t.name === victimName) expect(stored.filter((p) => p.key === 'train/loss').map((p) => p.step)).toEqual([1, 2]);
    }
  }, 600_000);

  it('ASHA on bullmq through a killed sweep process, a Redis restart and a Ctrl-C: the re-run attaches and rides out the restart, Ctrl-C leaves the trials KILLED and resumable, the last run completes them; the rung decision follows the run folders; a failing trial is FAILED after its retries', async () => {
    // The two workers the test before left alive take the jobs: two trials run, one waits.
    const grid = { 'optimizer.lr': [0.001, 0.01, 10000] }; // the last diverges
    const file = writeSweep('halving', 'plain.yaml', grid, { name: 'bullmq', queue: 'trials', retries: 1 }, { name: 'asha', rungs: [2], eta: 2 });
    const env = { ...process.env, ELBO_REDIS_URL: redis.url() };
    const sweepProcess = (log: string) => {
      const fd = openSync(join(dir, log), 'a');
      const child = spawn(process.execPath, [elboBin, 'sweep', file], { cwd: dir, stdio: ['ignore', fd, fd], env });
      closeSync(fd);
      sweeps.push(child);
      return { child, exited: new Promise<number | null>((r) => child.once('exit', (code) => r(code))), log: () => readFileSync(join(dir, log), 'utf8') };
    };
    const first = sweepProcess('sweep-1.log');
    // Two trials wait at epoch 1 (rung 2 not reached); the third job waits in the queue.
    await until('two trials at their first checkpoint', () => held('halving').length === 2, 120_000);
    const hashes = state('halving').trials.map((t) => t.hash);
    const key = (h: string) => `halving-${h}-e2`;
    await until('every job in Redis', () => hashes.every((h) => redis.cli('exists', `bull:trials:${key(h)}`) === '1'));
    first.child.kill('SIGKILL');
    await first.exited;

    // The sweep again: it attaches to the three jobs (none enqueued twice). Redis restarts under it
    // and the workers; then Ctrl-C, which the sweep can only carry out through Redis.
    const second = sweepProcess('sweep-2.log');
    await until('the re-run to attach to every job', () => second.log().match(/is (active|waiting); attached to it/g)?.length === 3);
    const [a, b, bad] = hashes as [string, string, string];
    expect(second.log()).toContain(`job ${key(a)} is active; attached to it`);
    expect(second.log()).toContain(`job ${key(bad)} is waiting; attached to it`);
    await redis.stop();
    await redis.start();
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(130);
    const killed = state('halving');
    // The two running trials KILLED; the waiting one never started, and stays so (as with executor local).
    expect(killed.trials.map((t) => [t.status, t.reason])).toEqual([
      ['KILLED', 'the sweep was interrupted'],
      ['KILLED', 'the sweep was interrupted'],
      ['PENDING', undefined],
    ]);
    expect(killed.trials[2]!.attempts).toBe(0);
    for (const h of [a, b]) {
      const dir = killed.trials.find((t) => t.hash === h)!.runDir!;
      expect(readStatus(dir)?.status).toBe('KILLED'); // resumable: stopped after epoch 1, its checkpoint there
      expect(checkpointEpoch(dir)).toBe(1);
      expect(steps(dir)).toEqual([1]);
      expect(logs()).toMatch(new RegExp(`job ${key(h)}: exit \\S+ after [\\d.]+ s \\(stopped\\)`));
    }
    expect(attempts(key(bad))).toBe(0); // the waiting job left the queue
    expect(redis.cli('exists', `bull:trials:${key(bad)}`)).toBe('0');

    // The last run: the killed trials resume to rung 2, the third starts (and fails); the better of the two goes on.
    writeFileSync(join(release, 'halving'), '');
    process.env['ELBO_REDIS_URL'] = redis.url();
    try {
      expect(await sweepCommand({ file, set: [], dryRun: false })).toBe(1); // 1: a trial FAILED
    } finally {
      delete process.env['ELBO_REDIS_URL'];
    }
    const s = state('halving');
    const trials = new Map(s.trials.map((t) => [t.hash, t]));
    for (const h of [a, b]) expect(logs()).toContain(`elbo train --resume ${trials.get(h)!.runDir} --until-epoch 2`);
    const good = [a, b].map((h) => trials.get(h)!);
    const atRung = good.map((t) => readMetrics(t.runDir!).find((p) => p.key === 'test/neg_elbo' && p.step === 2)!.value);
    const best = atRung.indexOf(Math.min(...atRung));
    expect(good.map((t) => t.status)).toEqual(good.map((_, i) => (i === best ? 'FINISHED' : 'STOPPED')));
    const folders = runFolders(runs);
    for (const [i, t] of good.entries()) {
      expect(folders.get(t.name)).toEqual([t.runDir]);
      expect(repeated(readMetrics(t.runDir!)), t.name).toEqual([]);
      if (i === best) {
        expect(steps(t.runDir!)).toEqual([1, 2, 3]);
        expect(readStatus(t.runDir!)?.status).toBe('FINISHED');
      } else {
        expect(t.rung).toBe(2);
        expect(t.reason).toMatch(/^stopped at rung 2: test\/neg_elbo [\d.]+ is not among the best 1 of 2 \(eta 2\)$/);
        expect(steps(t.runDir!)).toEqual([1, 2]);
        expect(readStatus(t.runDir!)?.status).toBe('KILLED');
        expect(checkpointEpoch(t.runDir!)).toBe(2);
      }
    }
    expect(csv('halving').split('\n')[0]).toBe('rank,trial,optimizer.lr,status,stopped_at,test/neg_elbo,run_dir,reason');
    expect(csv('halving').match(/,STOPPED,2,/g)).toHaveLength(1);

    // The diverging trial: FAILED after 1 + retries attempts, in BullMQ too, its error naming its log file; it blocked no other.
    const failed = trials.get(bad)!;
    expect(failed.status).toBe('FAILED');
    expect(failed.reason).toMatch(/^training diverged: train\/loss is NaN/);
    expect(attempts(key(bad))).toBe(2);
    expect(redis.cli('zscore', 'bull:trials:failed', key(bad))).not.toBe('');
    expect(logs()).toMatch(new RegExp(`trial ${bad} failed \\(exit status 1\\): training diverged[^\\n]*; its output: ${join(runs, 'sweeps', 'halving', 'logs', bad)}\\.log`));
  }, 600_000);

  it('a worker that cannot write to the runs folder refuses to start (exit 2), naming it', async () => {
    const notAFolder = join(dir, 'plain.yaml', 'runs');
    expect(await main(['worker', '--redis', redis.url(), '--runs', notAFolder])).toBe(2);
    expect(output.err).toContain(`error: ${notAFolder}: a worker cannot write to the runs folder (ENOTDIR)`);
    expect(output.err).not.toContain(PASSWORD);
  });

  it('the Redis password appears in no run folder, sweep folder, log, state or MLflow param or tag, and no trial could read it', async () => {
    const written = [...files(join(dir, 'runs')), ...workers.map((w) => w.log), join(dir, 'sweep-1.log'), join(dir, 'sweep-2.log')];
    expect(written.length).toBeGreaterThan(100);
    for (const f of written) expect(readFileSync(f).includes(PASSWORD), f).toBe(false);
    const experiment = await experimentByName(mlflow!.uri, 'sweeps');
    const stored = await searchRuns(mlflow!.uri, experiment!.experiment_id);
    expect(stored).toHaveLength(2 + 2 * 12); // both sweeps' parents and trials
    for (const r of stored) for (const kv of [...(r.data.params ?? []), ...(r.data.tags ?? [])]) expect(`${kv.key}=${kv.value}`).not.toContain(PASSWORD);
    // A worker keeps ELBO_REDIS_URL from its trials (hold-plugin.ts would have left a file).
    expect(readdirSync(release).filter((f) => f.startsWith('saw-redis-url-'))).toEqual([]);
  });
});
