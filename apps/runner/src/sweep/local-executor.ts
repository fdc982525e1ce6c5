import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { defineComponent, opt } from '@elbo/core';
import type { Executor, ExecutorHooks, TrialExit, TrialJob } from './executor.js';

/** The `elbo` command of this checkout: `node apps/runner/bin/elbo.js`. */
export const ELBO_COMMAND: readonly string[] = [process.execPath, fileURLToPath(new URL('../../bin/elbo.js', import.meta.url))];

export interface LocalExecutorOptions {
  /** Trials run at once. */
  readonly workers: number;
}

export interface LocalExecutorDeps {
  /** The command a job's arguments are appended to (default: ELBO_COMMAND). */
  readonly command?: readonly string[];
  /** After asking a trial to stop (SIGTERM), wait this long before SIGKILL. */
  readonly killGraceMs?: number;
  /** The trials' environment (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
}

const TAIL = 4000;

/**
 * `executor/local`: a pool of child processes on this machine. At most `workers` trials run at once,
 * each an `elbo` process of its own (its own TensorFlow.js engine and memory), in its own process
 * group so that the sweep alone decides when to stop it: on a time limit or an interrupted sweep
 * it gets SIGTERM (the trainer stops at the next step and records KILLED with a resumable
 * checkpoint), then SIGKILL after a grace period.
 */
export class LocalExecutor implements Executor {
  readonly description: string;
  private readonly command: readonly string[];
  private readonly killGraceMs: number;
  private readonly env: NodeJS.ProcessEnv | undefined;

  constructor(
    readonly options: LocalExecutorOptions,
    deps: LocalExecutorDeps = {},
  ) {
    this.command = deps.command ?? ELBO_COMMAND;
    this.killGraceMs = deps.killGraceMs ?? 15_000;
    this.env = deps.env;
    this.description = `local, ${options.workers} worker${options.workers === 1 ? '' : 's'}`;
  }

  async run(jobs: readonly TrialJob[], hooks: ExecutorHooks, signal?: AbortSignal): Promise<void> {
    const queue = [...jobs];
    const worker = async (): Promise<void> => {
      for (let job = queue.shift(); job && !signal?.aborted; job = queue.shift()) {
        await hooks.started(job);
        await hooks.ended(job, await this.runOne(job, signal));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.workers, queue.length) }, worker));
  }

  private async runOne(job: TrialJob, signal?: AbortSignal): Promise<TrialExit> {
    await mkdir(dirname(job.logFile), { recursive: true });
    const log = createWriteStream(job.logFile, { flags: 'a' });
    const [cmd, ...pre] = this.command;
    log.write(`--- ${new Date().toISOString()}: elbo ${job.args.join(' ')}\n`);
    const t0 = performance.now();
    let stdout = '';
    let stderrTail = '';
    let timedOut = false;
    let interrupted = false;
    const exit = await new Promise<{ code: number | null; signal: string | null }>((done) => {
      const child = spawn(cmd!, [...pre, ...job.args], { cwd: job.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...(this.env ? { env: this.env } : {}) });
      let grace: NodeJS.Timeout | undefined;
      const stop = () => {
        if (child.exitCode !== null || child.signalCode !== null || grace) return;
        child.kill('SIGTERM');
        grace = setTimeout(() => child.kill('SIGKILL'), this.killGraceMs);
      };
      const timer = job.timeoutMs !== undefined ? setTimeout(() => ((timedOut = true), stop()), job.timeoutMs) : undefined;
      const onAbort = () => ((interrupted = true), stop());
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort();
      child.stdout.on('data', (b: Buffer) => {
        stdout += b.toString();
        log.write(b);
      });
      child.stderr.on('data', (b: Buffer) => {
        stderrTail = (stderrTail + b.toString()).slice(-TAIL);
        log.write(b);
      });
      const finish = (code: number | null, sig: string | null) => {
        clearTimeout(timer);
        clearTimeout(grace);
        signal?.removeEventListener('abort', onAbort);
        done({ code, signal: sig });
      };
      child.once('error', (e) => {
        stderrTail += `error: cannot start ${cmd}: ${e.message}\n`;
        finish(null, null);
      });
      child.once('close', finish);
    });
    const seconds = (performance.now() - t0) / 1000;
    log.write(`--- exit ${exit.code ?? exit.signal} after ${seconds.toFixed(1)} s${timedOut ? ' (time limit)' : ''}${interrupted ? ' (sweep interrupted)' : ''}\n`);
    await new Promise<void>((r) => log.end(r));
    return { exitCode: exit.code, signal: exit.signal, timedOut, interrupted, stdout, stderrTail, seconds };
  }
}

/** `executor/local` as a component a sweep file names (`executor: { name: local, workers: 2 }`). */
export const localExecutorComponent = defineComponent({
  kind: 'executor',
  name: 'local',
  summary: 'runs a sweep’s trials as `elbo train` child processes on this machine, a bounded number at a time',
  options: z.strictObject({
    workers: opt.positiveInt().default(2).describe('trials that run at once (each is a process with its own TensorFlow.js engine)'),
  }),
  create: (options): Executor => new LocalExecutor(options),
});
