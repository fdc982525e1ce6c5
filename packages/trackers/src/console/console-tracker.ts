import { SingleBar } from 'cli-progress';
import type { MetricPoint, ParamValue, Progress, ResumeInfo, RunInfo, RunStatus, Tracker } from '@elbo/core';
import { ConsoleFormat } from './console-format.js';

export interface ConsoleTrackerOptions {
  /** Seconds between periodic progress lines when there is no bar. */
  readonly interval: number;
  /** `auto`: a bar when the stream is a TTY, plain lines otherwise. */
  readonly bar: 'auto' | 'always' | 'never';
}

/** Where the console tracker writes: process.stderr by default; any writable stream in tests. */
export type ConsoleStream = NodeJS.WritableStream & { readonly isTTY?: boolean };

export interface ConsoleTrackerDeps {
  readonly stream?: ConsoleStream;
  /** Clock in ms; defaults to Date.now. */
  readonly now?: () => number;
}

interface EpochState {
  readonly epoch: number;
  readonly phase: Progress['phase'];
  /** Time and stepInEpoch of the first progress seen in this epoch, for the rate. */
  readonly t0: number;
  readonly s0: number;
  last: Progress;
  lastAt: number;
  /** The last progress has been written as a line. */
  printed: boolean;
  ended: boolean;
}

/**
 * Human-readable progress on stderr. With a TTY: a live bar per epoch (epoch i/n, step, rate, the
 * latest metrics); without: a plain line at most every `interval` seconds and one at the end of each
 * epoch. Every `logMetrics` call prints one summary line, `message` prints its text, `finish` the
 * final status. The training rate is samples/s when the resolved config has `train.batchSize` (or a
 * top-level `batchSize`), steps/s otherwise; the eval rate is units of its counter per second (`/s`).
 */
export class ConsoleTracker implements Tracker {
  readonly name = 'console';
  private readonly stream: ConsoleStream;
  private readonly now: () => number;
  private readonly useBar: boolean;
  private bar: SingleBar | undefined;
  private barActive = false;
  private run: RunInfo | undefined;
  private startedAt = 0;
  private batchSize: number | undefined;
  private lastLineAt = 0;
  private current: EpochState | undefined;

  constructor(
    private readonly options: ConsoleTrackerOptions,
    deps: ConsoleTrackerDeps = {},
  ) {
    this.stream = deps.stream ?? process.stderr;
    this.now = deps.now ?? Date.now;
    this.useBar = options.bar === 'always' || (options.bar === 'auto' && this.stream.isTTY === true);
  }

  async start(run: RunInfo, resume?: ResumeInfo): Promise<void> {
    this.run = run;
    this.startedAt = this.now();
    this.lastLineAt = this.startedAt;
    this.current = undefined;
    this.batchSize = findBatchSize(run.config);
    const history = resume?.history ?? [];
    const from = history.length ? ` (resumed at step ${history.reduce((m, p) => Math.max(m, p.step), 0)})` : '';
    this.line(`run ${run.experiment}/${run.runId}${from}  ${run.runDir}`);
  }

  async logParams(_params: Readonly<Record<string, ParamValue>>): Promise<void> {}

  async logMetrics(points: readonly MetricPoint[]): Promise<void> {
    if (points.length > 0) this.line(ConsoleFormat.metrics(points));
  }

  async logArtifact(_path: string, _localFile: string): Promise<void> {}

  progress(p: Progress): void {
    const now = this.now();
    let cur = this.current;
    if (!cur || cur.epoch !== p.epoch || cur.phase !== p.phase) {
      if (cur) this.endEpoch(cur);
      cur = this.current = { epoch: p.epoch, phase: p.phase, t0: now, s0: p.stepInEpoch, last: p, lastAt: now, printed: false, ended: false };
    }
    cur.last = p;
    cur.lastAt = now;
    cur.printed = false;
    if (p.stepInEpoch >= p.stepsPerEpoch) {
      this.endEpoch(cur);
    } else if (this.useBar) {
      this.drawBar(cur);
    } else if (now - this.lastLineAt >= this.options.interval * 1000) {
      this.printProgress(cur);
    }
  }

  message(text: string): void {
    this.line(text);
  }

  async finish(status: RunStatus, error?: string): Promise<void> {
    const cur = this.current;
    // Show where an interrupted epoch stopped, unless that line is already on screen.
    if (cur && !cur.ended && !cur.printed) this.printProgress(cur);
    this.stopBar();
    this.current = undefined;
    const who = this.run ? `run ${this.run.experiment}/${this.run.runId}` : 'run';
    const took = ConsoleFormat.duration(this.now() - this.startedAt);
    const tail = status === 'FINISHED' ? ` in ${took}` : ` after ${took}${error ? `: ${error}` : ''}`;
    this.line(`${who} ${status}${tail}`);
  }

  /** Prints an epoch's closing line once (training only; eval is summarised by logMetrics). */
  private endEpoch(cur: EpochState): void {
    if (cur.ended) return;
    cur.ended = true;
    if (cur.phase === 'train' && !cur.printed) this.printProgress(cur);
    else this.stopBar();
  }

  private printProgress(cur: EpochState): void {
    this.line(ConsoleFormat.progress(cur.last, this.rate(cur)));
    cur.printed = true;
    this.lastLineAt = this.now();
  }

  private rate(cur: EpochState): { perSecond: number; unit: string } | undefined {
    const dt = (cur.lastAt - cur.t0) / 1000;
    const steps = cur.last.stepInEpoch - cur.s0;
    if (dt <= 0 || steps <= 0) return undefined;
    if (cur.phase === 'eval') return { perSecond: steps / dt, unit: '' };
    const b = this.batchSize;
    return b ? { perSecond: (steps / dt) * b, unit: 'samples' } : { perSecond: steps / dt, unit: 'steps' };
  }

  /** Writes a whole line, clearing the bar first; the next progress() draws it again. */
  private line(text: string): void {
    this.stopBar();
    this.stream.write(`${text}\n`);
  }

  private drawBar(cur: EpochState): void {
    const p = cur.last;
    if (!this.bar) {
      this.bar = new SingleBar({
        stream: this.stream,
        format: (_o, params) => this.barText(params.maxWidth),
        clearOnComplete: true,
        hideCursor: null,
        linewrap: true, // trim to the terminal width; never switch the terminal's wrapping off
        gracefulExit: false,
        fps: 10,
        noTTYOutput: this.stream.isTTY !== true,
        notTTYSchedule: this.options.interval * 1000,
      });
    }
    if (!this.barActive) {
      this.bar.start(p.stepsPerEpoch, p.stepInEpoch);
      this.barActive = true;
    } else {
      if (this.bar.getTotal() !== p.stepsPerEpoch) this.bar.setTotal(p.stepsPerEpoch);
      this.bar.update(p.stepInEpoch);
    }
  }

  private barText(maxWidth: number): string {
    const cur = this.current;
    if (!cur) return '';
    const p = cur.last;
    const text = ConsoleFormat.progress(p, this.rate(cur), ConsoleFormat.bar(p.stepsPerEpoch > 0 ? p.stepInEpoch / p.stepsPerEpoch : 0));
    return maxWidth > 1 && text.length >= maxWidth ? `${text.slice(0, maxWidth - 2)}…` : text;
  }

  private stopBar(): void {
    if (this.bar && this.barActive) this.bar.stop();
    this.barActive = false;
  }
}

/** The training batch size: `train.batchSize` (core's run config) or a top-level `batchSize`. */
function findBatchSize(config: Readonly<Record<string, unknown>>): number | undefined {
  const ok = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;
  const train = config.train;
  const fromTrain = train && typeof train === 'object' ? (train as Record<string, unknown>).batchSize : undefined;
  if (ok(fromTrain)) return fromTrain;
  return ok(config.batchSize) ? config.batchSize : undefined;
}
