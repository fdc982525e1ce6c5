import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Progress, RunInfo } from '@elbo/core';
import { ConsoleTracker, type ConsoleTrackerOptions } from './console-tracker.js';
import { ConsoleFormat } from './console-format.js';

/** A non-TTY stream that keeps what is written. */
class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
  lines(): string[] {
    return this.text.split('\n').filter(Boolean);
  }
}

function setup(options: Partial<ConsoleTrackerOptions> = {}, config: Record<string, unknown> = {}) {
  const out = new Capture();
  let now = 0;
  const clock = { set: (ms: number) => (now = ms) };
  const tracker = new ConsoleTracker({ interval: 5, bar: 'auto', ...options }, { stream: out, now: () => now });
  const run: RunInfo = { runId: 'r-42', experiment: 'mnist', runDir: '/runs/mnist/r-42', startedAt: 0, config, tags: {} };
  return { out, clock, tracker, run };
}

const prog = (epoch: number, stepInEpoch: number, metrics: Record<string, number> = {}, phase: Progress['phase'] = 'train'): Progress => ({
  phase,
  epoch,
  epochs: 10,
  step: (epoch - 1) * 800 + stepInEpoch,
  stepInEpoch,
  stepsPerEpoch: 800,
  metrics,
});

describe('ConsoleTracker without a TTY', () => {
  it('prints rate-limited progress lines plus one at the end of each epoch', async () => {
    const { out, clock, tracker, run } = setup({ interval: 5 }, { train: { batchSize: 32 }, eval: { batchSize: 1000 } });
    await tracker.start(run);
    // One progress per step, 10 steps per second.
    for (let s = 1; s <= 800; s++) {
      clock.set(s * 100);
      tracker.progress(prog(3, s, { loss: 112.4123 }));
    }
    const lines = out.lines();
    expect(lines[0]).toBe('run mnist/r-42  /runs/mnist/r-42');
    const progress = lines.slice(1);
    // 80 s of training at most one line per 5 s: lines at 5 s, 10 s … 75 s, then the epoch's end.
    expect(progress).toHaveLength(16);
    expect(progress[0]).toBe('epoch 3/10  step 50/800  loss 112.4  (320 samples/s)');
    expect(progress.at(-1)).toBe('epoch 3/10  step 800/800  loss 112.4  (320 samples/s)');
    for (const l of progress) expect(l).toMatch(/^epoch 3\/10 {2}step \d+\/800 {2}loss 112\.4 {2}\(320 samples\/s\)$/);
  });

  it('prints one sorted metrics line per logMetrics, messages, and the final status', async () => {
    const { out, clock, tracker, run } = setup({ bar: 'never' });
    await tracker.start(run, { history: [{ key: 'train/loss', value: 1, step: 1600, timestamp: 0 }] });
    await tracker.logMetrics([
      { key: 'train/loss', value: 108.71234, step: 2400, timestamp: 1 },
      { key: 'test/neg_elbo', value: 98.123456, step: 2400, timestamp: 1 },
      { key: 'train/kl', value: NaN, step: 2400, timestamp: 1 },
    ]);
    await tracker.logMetrics([]);
    tracker.message('held-out −log p(x) ≈ 95.2 (k=5000)');
    clock.set(192_000);
    await tracker.finish('FINISHED');
    expect(out.lines()).toEqual([
      'run mnist/r-42 (resumed at step 1600)  /runs/mnist/r-42',
      'metrics @ step 2400  test/neg_elbo 98.12  train/kl NaN  train/loss 108.7',
      'held-out −log p(x) ≈ 95.2 (k=5000)',
      'run mnist/r-42 FINISHED in 3m 12s',
    ]);
  });

  it('shows steps/s without a batch size, closes an epoch cut short, and reports a failure', async () => {
    const { out, clock, tracker, run } = setup({ interval: 1, bar: 'never' });
    await tracker.start(run);
    clock.set(500);
    tracker.progress(prog(1, 10));
    clock.set(1500);
    tracker.progress(prog(1, 30)); // 1.5 s since start ≥ 1 s: printed
    clock.set(1600);
    tracker.progress(prog(1, 32)); // too soon
    clock.set(1700);
    tracker.progress(prog(2, 1)); // epoch 1 ended early: its last state is printed
    clock.set(1800);
    tracker.progress(prog(2, 2, {}, 'eval'));
    clock.set(12_300);
    await tracker.finish('FAILED', 'NaN loss at step 802');
    expect(out.lines().slice(1)).toEqual([
      'epoch 1/10  step 30/800  (20 steps/s)',
      'epoch 1/10  step 32/800  (20 steps/s)',
      'epoch 2/10  step 1/800', // the train phase of epoch 2 ends where eval begins
      'epoch 2/10  eval 2/800',
      'run mnist/r-42 FAILED after 12s: NaN loss at step 802',
    ]);
  });

  it('shows the final evaluation with a unitless rate', async () => {
    const { out, clock, tracker, run } = setup({ interval: 1, bar: 'never' });
    await tracker.start(run);
    clock.set(500);
    tracker.progress({ ...prog(10, 0, {}, 'eval'), stepsPerEpoch: 10_000 });
    clock.set(3000);
    tracker.progress({ ...prog(10, 4000, {}, 'eval'), stepsPerEpoch: 10_000 });
    expect(out.lines().slice(1)).toEqual(['epoch 10/10  eval 4000/10000  (1,600/s)']);
    await tracker.finish('FINISHED');
  });
});

describe('ConsoleTracker with a bar', () => {
  it('draws a bar and still leaves the epoch line and messages as whole lines', async () => {
    const { out, clock, tracker, run } = setup({ bar: 'always', interval: 60 });
    await tracker.start(run);
    for (let s = 1; s <= 800; s += 100) {
      clock.set(s * 10);
      tracker.progress(prog(1, s, { loss: 2 }));
    }
    tracker.message('hello');
    clock.set(8000);
    tracker.progress(prog(1, 800, { loss: 1.5 }));
    await tracker.finish('FINISHED');
    const lines = out.lines();
    expect(lines).toContain('hello');
    expect(lines).toContain('epoch 1/10  step 800/800  loss 1.5  (100 steps/s)');
    expect(lines.some((l) => l.includes('[') && l.includes('░'))).toBe(true);
    expect(lines.at(-1)).toMatch(/^run mnist\/r-42 FINISHED in 8s$/);
  });
});

describe('ConsoleFormat', () => {
  it('formats values to 4 significant digits, rates and durations stably', () => {
    const v = ConsoleFormat.value;
    expect([v(112.4123), v(98.123456), v(0.5), v(1), v(0), v(-3.14159), v(1234567), v(0.00001234), v(Infinity), v(-Infinity)]).toEqual([
      '112.4',
      '98.12',
      '0.5',
      '1',
      '0',
      '-3.142',
      '1.235e+6',
      '1.234e-5',
      'Infinity',
      '-Infinity',
    ]);
    expect(ConsoleFormat.rate(1520.4, 'samples')).toBe('1,520 samples/s');
    expect(ConsoleFormat.rate(85.27, 'steps')).toBe('85.3 steps/s');
    expect(ConsoleFormat.rate(5210, '')).toBe('5,210/s');
    expect(ConsoleFormat.duration(400)).toBe('0.4s');
    expect(ConsoleFormat.duration(3_723_000)).toBe('1h 02m 03s');
    expect(ConsoleFormat.bar(0.5, 4)).toBe('[██░░]');
  });
});
