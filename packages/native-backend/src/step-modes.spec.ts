import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '@elbo/compute';
import { MODE_TOLERANCE, chooseMode, measureModes, type ModeMeasurement } from './step-modes.js';

// The native pass of the suite (ELBO_BACKEND=node, after `elbo backend native`) runs the measurement.
const native = process.env['ELBO_BACKEND'] === 'node';

const row = (mode: ModeMeasurement['mode'], samplesPerSecond: number, firstLosses: number[], compiledSteps = mode === 'off' ? 0 : 10, firstMs = 100): ModeMeasurement => ({
  mode,
  samplesPerSecond,
  firstMs,
  firstLosses,
  compiledSteps,
});

describe('train.compile: auto — the fastest mode that computes what eager steps compute', () => {
  it('picks eager or graph steps, whichever trains the main job soonest, never a mode whose loss differs or that fell back to eager steps', () => {
    const losses = [600, 550, 520];
    expect(chooseMode([row('off', 5000, losses), row('graph', 9000, losses), row('xla', 8000, losses)]).auto).toBe('graph');
    expect(chooseMode([row('off', 5000, losses), row('graph', 9000, [600, 550, 520.001])]).auto).toBe('graph'); // 6e-7 relative
    // XLA runs only when asked for, however fast its measured steps.
    expect(chooseMode([row('off', 5000, losses), row('graph', 9000, losses), row('xla', 20000, losses)]).auto).toBe('graph');
    // The first steps (recording, compiling) count: 2,400 steps of 128 take 61 s eagerly, 34 s as graph functions after 40 s of compiling.
    expect(chooseMode([row('off', 5000, losses), row('graph', 9000, losses, 10, 40_000)]).auto).toBe('off');
    const off = chooseMode([row('off', 5000, losses), row('graph', 9000, [600, 550, 521]), row('xla', 11000, losses, 0)]);
    expect(off.auto).toBe('off');
    expect(off.detail).toBe(
      'auto = eager; reference MLP samples/s: eager 5,000 (first steps 0.1 s), graph 9,000 (first steps 0.1 s, loss off by 6.0e-4: not used), xla 11,000 (first steps 0.1 s, fell back to eager steps: not used; only when asked for); projected over 2,400 steps',
    );
    expect(() => chooseMode([row('graph', 9000, losses)])).toThrow(/eager steps .* are the reference/);
  });

  it.runIf(native)('measures eager and compiled steps of the same model from the same start on the native backend', async () => {
    await selectBackend('node', { ignoreEnv: true });
    const before = tf.memory().numTensors;
    const measured = measureModes(['off', 'graph'], { rounds: 2, steps: 3, sizes: { D: 64, H: 32, LATENT: 4, BATCH: 16 } });
    expect(tf.memory().numTensors).toBe(before);
    const [eager, graph] = measured;
    expect(eager!.compiledSteps).toBe(0);
    expect(graph!.compiledSteps).toBeGreaterThan(0);
    expect(graph!.firstLosses[2]!).toBeLessThan(graph!.firstLosses[0]!);
    for (const m of measured) expect(m.samplesPerSecond).toBeGreaterThan(0);
    const choice = chooseMode(measured);
    expect(choice.measured[1]!.lossRel).toBeLessThanOrEqual(MODE_TOLERANCE);
    expect(['off', 'graph']).toContain(choice.auto);
  });
});
