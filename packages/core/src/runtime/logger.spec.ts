import { afterEach, describe, expect, it, vi } from 'vitest';
import { progressLog, type Logger } from './logger.js';

function recorder(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), warn: () => {}, debug: () => {} };
}

describe('progressLog', () => {
  afterEach(() => vi.useRealTimers());

  it('stays quiet for work that ends within 2 s', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const log = recorder();
    const step = progressLog(log, 'score', 'rows');
    for (let done = 100; done <= 1000; done += 100) {
      vi.advanceTimersByTime(150);
      step(done, 1000);
    }
    expect(log.lines).toEqual([]);
  });

  it('reports every 2 s after the first 2, and the end', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const log = recorder();
    const step = progressLog(log, 'score', 'rows of test');
    for (let done = 1; done <= 10; done++) {
      vi.advanceTimersByTime(700); // 0.7 s a batch: 7 s in all
      step(done, 10);
    }
    expect(log.lines).toEqual(['score: 3/10 rows of test (2.1 s)', 'score: 6/10 rows of test (4.2 s)', 'score: 9/10 rows of test (6.3 s)', 'score: 10/10 rows of test (7.0 s)']);
  });
});
