import type { ConnectionOptions, Job } from 'bullmq';
import { z } from 'zod';
import { defineComponent, opt, type Logger } from '@elbo/core';
import type { Executor, ExecutorHooks, TrialExit, TrialJob } from './executor.js';
import { redactPassword, redactRedisUrl, redisConnection, REDIS_ENV, stopKey, type TrialPayload } from './redis-queue.js';

export interface BullmqExecutorOptions {
  /** `redis://[:password@]host:6379[/db]`; default: $ELBO_REDIS_URL. */
  readonly redis?: string;
  readonly queue: string;
  /** Attempts after the first for a trial whose command fails. */
  readonly retries: number;
}

const noExit = (why: string): TrialExit => ({ exitCode: null, signal: null, timedOut: false, interrupted: false, stdout: '', stderrTail: `error: ${why}\n`, seconds: 0 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `executor/bullmq`: the trials are jobs in a BullMQ queue on Redis, run by `elbo worker` processes
 * on any number of hosts that share the runs folder. A job's id is the trial's run name,
 * `<sweep>-<hash>` (with the rung for a scheduler's stages), so a sweep that runs again finds its jobs — waiting, or running on a
 * worker — and attaches to them instead of enqueueing them twice; a job that ended before is
 * replaced only when the sweep's plan (from the run folders) says the trial must run again. The
 * sweep follows its jobs by polling their state, which survives a Redis restart and a lost event;
 * a job Redis lost is enqueued again (its worker resumes the trial from its checkpoint).
 */
export class BullmqExecutor implements Executor {
  readonly description: string;
  private readonly connection: ConnectionOptions;
  private readonly url: string;

  constructor(
    readonly options: BullmqExecutorOptions,
    private readonly logger: Logger,
    private readonly pollMs = 250,
  ) {
    this.connection = redisConnection(options.redis, 'executor.redis');
    this.url = options.redis ?? process.env[REDIS_ENV]!;
    this.description = `bullmq, queue ${options.queue} on ${redactRedisUrl(this.url)}`;
  }

  async run(jobs: readonly TrialJob[], hooks: ExecutorHooks, signal?: AbortSignal): Promise<void> {
    if (!jobs.length) return;
    // Loaded here, not with the module: every `elbo` command (each trial too) would load BullMQ and its Redis client otherwise.
    const { Queue } = await import('bullmq');
    const queue = new Queue<TrialPayload, TrialExit>(this.options.queue, { connection: this.connection });
    queue.on('error', (e) => this.logger.warn(`redis: ${redactPassword(this.url, e.message)}`));
    try {
      const client = await queue.client;
      const pending = new Map<string, TrialJob>();
      const add = async (job: TrialJob, key: string) => {
        const payload: TrialPayload = { id: job.id, key, args: job.args, cwd: job.cwd, logFile: job.logFile, ...(job.timeoutMs !== undefined ? { timeoutMs: job.timeoutMs } : {}) };
        await client.hdel(stopKey(this.options.queue), key);
        await queue.add('trial', payload, { jobId: key, attempts: this.options.retries + 1, removeOnComplete: false, removeOnFail: false });
      };
      for (const job of jobs) {
        const key = job.key ?? job.id;
        const existing = await queue.getJob(key);
        const state = existing ? await existing.getState() : undefined;
        if (existing && state !== 'completed' && state !== 'failed') {
          this.logger.info(`queue ${this.options.queue}: job ${key} is ${state}; attached to it`);
        } else {
          if (existing) await existing.remove();
          await add(job, key);
        }
        pending.set(key, job);
      }
      const started = new Set<string>();
      const start = async (key: string, job: TrialJob) => {
        if (started.has(key)) return;
        started.add(key);
        await hooks.started(job);
      };
      let stopping = false;
      while (pending.size) {
        if (signal?.aborted && !stopping) {
          stopping = true;
          // Ctrl-C: waiting jobs leave the queue; running ones are stopped by their workers (KILLED, resumable).
          // A trial that never started is not reported at all, as with the local executor: it stays as it was.
          await client.hset(stopKey(this.options.queue), Object.fromEntries([...pending.keys()].map((k) => [k, Date.now()])));
          for (const [key, job] of [...pending]) {
            const j = await queue.getJob(key);
            if (j && ['waiting', 'delayed', 'prioritized'].includes(await j.getState())) {
              await j.remove().catch(() => undefined);
              pending.delete(key);
              if (started.has(key)) await hooks.ended(job, { ...noExit('the sweep was interrupted before the trial started again'), interrupted: true });
            }
          }
        }
        for (const [key, job] of [...pending]) {
          const j: Job<TrialPayload, TrialExit> | undefined = await queue.getJob(key);
          if (!j) {
            if (stopping) {
              pending.delete(key);
              if (started.has(key)) await hooks.ended(job, { ...noExit('the job left the queue'), interrupted: true });
            } else {
              this.logger.warn(`queue ${this.options.queue}: job ${key} is no longer in Redis (was Redis restarted without persistence?); enqueued again`);
              await add(job, key);
            }
            continue;
          }
          const state = await j.getState();
          if (state === 'active') await start(key, job);
          if (state !== 'completed' && state !== 'failed') continue;
          // The job was read before its state: a job that completed in between still shows no result,
          // so it is read again, and left for the next poll until its result is stored.
          const final = (await queue.getJob(key)) ?? j;
          const exit = state === 'completed' ? final.returnvalue : (final.data.exit ?? noExit(final.failedReason || 'the job failed'));
          if (!exit) continue;
          pending.delete(key);
          await start(key, job);
          await hooks.ended(job, exit);
        }
        if (pending.size) await sleep(this.pollMs);
      }
    } finally {
      await queue.close();
    }
  }
}

/** `executor/bullmq` as a component a sweep file names. */
export const bullmqExecutorComponent = defineComponent({
  kind: 'executor',
  name: 'bullmq',
  summary: 'enqueues a sweep’s trials as BullMQ jobs on Redis for `elbo worker` processes on other hosts (the runs folder shared by all)',
  options: z.strictObject({
    redis: opt.string().optional().describe(`Redis URL, redis://[:password@]host:6379[/db] (default: $${REDIS_ENV}, which keeps a password out of the sweep file)`),
    queue: opt
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, { error: (i) => `expected a name of letters, digits, ".", "_" or "-", got ${JSON.stringify(i.input)}` })
      .default('elbo')
      .describe('the queue the workers take jobs from (elbo worker --queue)'),
    retries: opt.nonNegativeInt().default(1).describe('attempts after the first for a trial whose command fails, before it is recorded FAILED'),
  }),
  create: (options, ctx): Executor => new BullmqExecutor(options, ctx.logger),
});
