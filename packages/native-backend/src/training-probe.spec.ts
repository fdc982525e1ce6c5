import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '@elbo/compute';
import { PROBE_TOLERANCE, compareProbes, trainingProbe } from './training-probe.js';

describe('the training probe that checks a native build against WASM', () => {
  it('agrees between two independent backends (cpu, wasm) within the tolerance, and leaks no tensors', async () => {
    await selectBackend('cpu', { ignoreEnv: true });
    const before = tf.memory().numTensors;
    const cpu = trainingProbe();
    expect(tf.memory().numTensors).toBe(before);
    await selectBackend('wasm', { ignoreEnv: true });
    const wasm = trainingProbe();
    expect(cpu.backend).toBe('cpu');
    expect(wasm.backend).toBe('wasm');
    expect(cpu.losses).toHaveLength(3);
    expect(cpu.losses[2]!).toBeLessThan(cpu.losses[0]!);
    const d = compareProbes(cpu, wasm);
    expect(d.lossRel).toBeLessThanOrEqual(PROBE_TOLERANCE.lossRel);
    expect(d.paramAbs).toBeLessThanOrEqual(PROBE_TOLERANCE.paramAbs);
  });

  it('notices a backend that computes differently', () => {
    const a = { backend: 'a', losses: [10, 9], params: { w: [1, 2] } };
    expect(compareProbes(a, { backend: 'b', losses: [10, 9.01], params: { w: [1, 2] } }).lossRel).toBeGreaterThan(PROBE_TOLERANCE.lossRel);
    expect(compareProbes(a, { backend: 'b', losses: [10, 9], params: { w: [1, 2.001] } }).paramAbs).toBeGreaterThan(PROBE_TOLERANCE.paramAbs);
    expect(compareProbes(a, { backend: 'b', losses: [10, 9], params: { w: [1] } }).paramAbs).toBe(Infinity);
  });
});
