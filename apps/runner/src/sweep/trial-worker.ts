import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DelayedError, Worker, type Job } from 'bullmq';
import { parse as parseYaml } from 'yaml';
import { DataError, type Logger } from '@elbo/core';
import type { TrialExit } from './executor.js';
import { ELBO_COMMAND, LocalExecutor } from './local-executor.js';
import { redactPassword, redactRedisUrl, REDIS_ENV, redisConnection, stopKey, type TrialPayload } from './redis-queue.js';
import { RunLocator } from './run-locator.js';
import { interrupted, statusOf } from './trial-status.js';

export interface TrialWorkerOptions {
  readonly redis?: string;
  readonly queue: string;
  readonly concurrency: number;
  /** The shared runs folder: checked writable before any job is taken. */
  readonly runs: string;
  /** A job whose worker stops renewing its lock for this long is taken by another worker. */
  readonly stalledSeconds: number;
  readonly logger: Logger;
  /** Aborting stops the worker: running trials end KILLED and go back to the queue for another worker. */
  readonly signal: AbortSignal;
}

/** Refuses a runs folder this host cannot write to (exit 2), naming it and why. */
export async function checkWritable(dir: string): Promise<void> {
  const probe = join(dir, `.elbo-worker-${process.pid}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, '');
    await rm(probe);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new DataError(
      dir,
      `a worker cannot write to the runs folder (${err.code ?? err.message}); every worker writes its trials' run folders there, so it must be the same shared folder, writable, on every worker host`,
    );
  }
}

/** The run folder a trial's config names, and where its runs go (relative paths from the job's working folder). */
async function trialRun(configFile: string, cwd: string): Promise<{ root: string; runDir?: string }> {
  const raw = parseYaml(await readFile(resolve(cwd, configFile), 'utf8')) as { name: string; runs: string; experiment: string };
  const root = resolve(cwd, raw.runs, raw.experiment);
  const runDir = await new RunLocator().find(root, raw.name);
  return { root, ...(runDir ? { runDir } : {}) };
}

/**
 * The command that carries a job's trial on from where its run folder is: a job taken again after
 * its worker died finds the run folder the first attempt made, and resumes it (`train --resume`:
 * from its checkpoint, or from the start when it died before the first) instead of starting a
 * second run; a run that already FINISHED is reported as it is, without training again.
 */
export async function trialCommand(p: TrialPayload): Promise<{ args: readonly string[]; finished?: string; root: string }> {
  const resumed = p.args[1] === '--resume';
  const found = resumed ? { root: resolve(p.cwd, p.args[2]!, '..'), runDir: resolve(p.cwd, p.args[2]!) } : await trialRun(p.args[1]!, p.cwd);
  const rest = p.args.slice(resumed ? 3 : 2);
  const dir = found.runDir;
  if (dir && statusOf(dir)?.status === 'FINISHED') return { args: p.args, finished: dir, root: found.root };
  if (dir && interrupted(dir)) return { args: ['train', '--resume', dir, ...rest], root: found.root };
  return { args: resumed ? ['train', p.args[2]!, ...rest] : p.args, root: found.root };
}

const WATCHDOG = fileURLToPath(new URL('./exit-with-worker.js', import.meta.url));

/**
 * `elbo worker`: takes trial jobs from the queue, `concurrency` at a time, and runs each as an
 * ordinary `elbo train` (or `train --resume`) with the local executor's process handling; BullMQ
 * renews the job's lock while the trial runs. A trial that exits 0 completes the job with its exit;
 * one that fails fails the job (retried as the sweep's `retries` say) with an error naming the
 * trial and its log file; one the sweep asked to stop ends KILLED and completes the job.
 */
export async function runTrialWorker(o: TrialWorkerOptions): Promise<void> {
  const connection = redisConnection(o.redis, '--redis');
  const url = o.redis ?? process.env[REDIS_ENV] ?? '';
  await checkWritable(resolve(o.runs));
  /** The stop switch of each running trial, by job key. */
  const running = new Map<string, AbortController>();
  // A trial never sees the Redis URL (nor its password): the queue is the worker's business, and a trial runs plugin code.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== REDIS_ENV));
  const local = new LocalExecutor({ workers: 1 }, { command: [ELBO_COMMAND[0]!, '--import', WATCHDOG, ...ELBO_COMMAND.slice(1)], killGraceMs: 10_000, env });
  const processor = async (job: Job<TrialPayload, TrialExit>, token?: string): Promise<TrialExit> => {
    const p = job.data;
    const { args, finished, root } = await trialCommand(p);
    if (finished) return { exitCode: 0, signal: null, timedOut: false, interrupted: false, stdout: `${finished}\n`, stderrTail: '', seconds: 0 };
    await checkWritable(root).catch((e: Error) => {
      throw new Error(`trial ${p.id}: ${e.message}; its log: ${p.logFile}`);
    });
    o.logger.info(`job ${p.key} (attempt ${job.attemptsMade + 1}): elbo ${args.join(' ')}`);
    const stop = new AbortController();
    running.set(p.key, stop);
    const client = await worker.client;
    const watch = setInterval(() => {
      void client.hexists(stopKey(o.queue), p.key).then(
        (n: number) => n && stop.abort(),
        () => undefined,
      );
    }, 500);
    const onShutdown = () => stop.abort();
    o.signal.addEventListener('abort', onShutdown);
    let exit: TrialExit | undefined;
    try {
      await local.run([{ ...p, args }], { started: () => {}, ended: (_j, e) => void (exit = e) }, stop.signal);
    } finally {
      clearInterval(watch);
      running.delete(p.key);
      o.signal.removeEventListener('abort', onShutdown);
    }
    const e = exit!;
    o.logger.info(`job ${p.key}: exit ${e.exitCode ?? e.signal ?? '—'} after ${e.seconds.toFixed(1)} s${e.interrupted ? ' (stopped)' : ''}`);
    if (e.interrupted && o.signal.aborted) {
      // This worker is shutting down: the trial (KILLED, resumable) goes back to the queue for another worker.
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    if (e.exitCode === 0 || e.interrupted) return e;
    await job.updateData({ ...p, exit: e });
    const how = e.exitCode !== null ? `exit status ${e.exitCode}` : e.signal ? `ended by ${e.signal}` : 'did not start';
    const line = e.stderrTail
      .split('\n')
      .filter((l) => l.startsWith('error: '))
      .pop();
    throw new Error(`trial ${p.id} failed (${how})${line ? `: ${line.slice('error: '.length)}` : ''}; its output: ${p.logFile}`);
  };
  const ms = o.stalledSeconds * 1000;
  const worker = new Worker<TrialPayload, TrialExit>(o.queue, processor, {
    connection,
    concurrency: o.concurrency,
    lockDuration: ms,
    stalledInterval: ms,
    maxStalledCount: 3,
    autorun: false,
  });
  worker.on('error', (e) => o.logger.warn(`redis: ${redactPassword(url, e.message)}`));
  // A lock this worker could not renew is another worker's job now: its trial stops here, so that
  // only one process ever trains a run folder.
  worker.on('lockRenewalFailed', (ids) => {
    for (const id of ids) {
      o.logger.warn(`job ${id}: lost its lock (Redis unreachable or this host too slow); stopping its trial, another worker resumes it`);
      running.get(id)?.abort();
    }
  });
  worker.on('failed', (job, e) => {
    if (job && !(e instanceof DelayedError)) o.logger.warn(`job ${job.id}: ${redactPassword(url, e.message)}`);
  });
  const closed = new Promise<void>((done) => o.signal.addEventListener('abort', () => void worker.close().then(done, done), { once: true }));
  o.logger.info(`worker: queue ${o.queue} on ${redactRedisUrl(url)}, ${o.concurrency} trial${o.concurrency === 1 ? '' : 's'} at a time, runs folder ${resolve(o.runs)}`);
  void worker.run();
  await closed;
}
