import * as tf from '@tensorflow/tfjs-core';
import type { Optimizer } from '@elbo/core';
import type { TrainState } from './protocol.js';

/** Copies weights and optimiser state to the host (copies: the arrays can be transferred). */
export async function readState(params: ReadonlyMap<string, tf.Variable>, optimizer: Optimizer): Promise<TrainState> {
  const { iterations, tensors } = optimizer.state();
  const read = async (t: tf.Tensor) => Float32Array.from((await t.data()) as Float32Array);
  return {
    iterations,
    params: await Promise.all([...params.values()].map(read)),
    slots: await Promise.all([...tensors].map(async ([key, t]) => ({ key, values: await read(t) }))),
  };
}

/** Loads weights and optimiser state from the host. */
export function writeState(params: ReadonlyMap<string, tf.Variable>, optimizer: Optimizer, state: TrainState): void {
  const shapes = new Map([...optimizer.state().tensors].map(([k, t]) => [k, t.shape]));
  tf.tidy(() => {
    [...params.values()].forEach((p, i) => p.assign(tf.tensor(state.params[i]!, p.shape)));
    optimizer.restore(state.iterations, new Map(state.slots.map((s) => [s.key, tf.tensor(s.values, shapes.get(s.key))])));
  });
}
