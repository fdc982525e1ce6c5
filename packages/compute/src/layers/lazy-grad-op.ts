import * as tf from '@tensorflow/tfjs-core';

/**
 * One gradient per input, as a thunk: `grads[i]()` returns ∂L/∂inputs[i] given the upstream
 * gradient the thunk closes over. Thunks run inside a tidy, so their intermediates are freed.
 */
export type GradThunks = ReadonlyArray<() => tf.Tensor>;

/** Forward body: computes the output, and calls `save` with the tensors the backward pass reads. */
export type LazyForward<T extends tf.Tensor> = (save: (tensors: tf.Tensor[]) => void) => T;

/** Backward body: given dL/dy and the saved tensors (same order), one thunk per input. */
export type LazyBackward<T extends tf.Tensor> = (dy: T, saved: tf.Tensor[]) => GradThunks;

interface CustomKernelParams {
  forwardFunc: (backend: unknown, save: (tensors: tf.Tensor[]) => void) => tf.Tensor;
  backwardsFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => Record<string, () => tf.Tensor>;
  inputs: Record<string, tf.Tensor>;
}

interface EngineWithKernelFunc {
  runKernelFunc(params: CustomKernelParams): tf.Tensor;
}

function engineRunner(): EngineWithKernelFunc | null {
  const engine = tf.engine() as unknown as Partial<EngineWithKernelFunc>;
  return typeof engine.runKernelFunc === 'function' ? (engine as EngineWithKernelFunc) : null;
}

/**
 * Like `tf.customGrad`, but the gradient of each input is computed only if the tape needs it.
 *
 * `tf.customGrad` evaluates the whole gradient function, so a layer whose input is data (the
 * first layer of a network) would still pay for ∂L/∂x. TensorFlow.js's engine already asks for
 * each input's gradient through a separate thunk and skips the inputs that do not lead to the
 * differentiated variables; this helper hands it one thunk per input through the engine's
 * `runKernelFunc` (the very mechanism `tf.customGrad` is built on). Saved tensors are kept by the
 * engine only while a tape is recording and are released by it after backprop.
 *
 * Falls back to `tf.customGrad` (all gradients computed) if the engine lacks `runKernelFunc`.
 */
export function lazyGradOp<T extends tf.Tensor>(inputs: readonly tf.Tensor[], forward: LazyForward<T>, backward: LazyBackward<T>): T {
  const engine = engineRunner();
  if (engine === null) return customGradFallback(inputs, forward, backward);
  const inputMap: Record<string, tf.Tensor> = {};
  inputs.forEach((t, i) => (inputMap[String(i)] = t));
  return engine.runKernelFunc({
    forwardFunc: (_backend, save) => forward(save),
    backwardsFunc: (dy, saved) => {
      const thunks = backward(dy as T, saved);
      if (thunks.length !== inputs.length) {
        throw new Error(`lazyGradOp: ${thunks.length} gradients for ${inputs.length} inputs`);
      }
      const out: Record<string, () => tf.Tensor> = {};
      thunks.forEach((g, i) => (out[String(i)] = g));
      return out;
    },
    inputs: inputMap,
  }) as T;
}

function customGradFallback<T extends tf.Tensor>(inputs: readonly tf.Tensor[], forward: LazyForward<T>, backward: LazyBackward<T>): T {
  const op = tf.customGrad<T>((...args) => {
    const save = args[args.length - 1] as (t: tf.Tensor[]) => void;
    return {
      value: forward(save),
      gradFunc: (dy: T, saved: tf.Tensor[]) => backward(dy, saved).map((g) => tf.tidy(g)),
    };
  });
  return op(...inputs) as T;
}
