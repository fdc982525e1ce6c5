import * as tf from '@tensorflow/tfjs-core';
import { activate, type Activation } from './activation.js';
import { lazyGradOp } from './lazy-grad-op.js';
import { layerGradients } from './layer-gradients.js';
import { checkTensorSize } from '../blocks/tensor-budget.js';

/** The trainable tensors of one fully-connected layer. */
export interface DenseParams {
  /** W, shape [inDim, outDim]. */
  readonly kernel: tf.Tensor2D;
  /** b, shape [outDim]. */
  readonly bias: tf.Tensor1D;
}

/**
 * Fully-connected layer y = act(X·W + b) for X [N, in], W [in, out], b [out] → y [N, out].
 *
 * The affine part z = X·W + b has a hand-written gradient that uses only non-transposed matrix
 * products on explicitly transposed copies, which the WASM backend runs about ten times faster
 * than the transposed-operand products of matMul's default gradient:
 *
 *   ∂L/∂X = (∂L/∂z) · transpose(W)        [N, out]·[out, in]
 *   ∂L/∂W = transpose(X) · (∂L/∂z)        [in, N]·[N, out]
 *   ∂L/∂b = Σₙ (∂L/∂z)ₙ = 1ᵀ · (∂L/∂z)      [1, N]·[N, out]
 *
 * Each of the three is computed only if the tape needs it (e.g. ∂L/∂X is skipped when X is
 * data). The activation is applied afterwards with ordinary ops (see `activate`).
 */
export function dense(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D, activation: Activation = 'linear'): tf.Tensor2D {
  const [n, inDim] = x.shape;
  const [kIn, outDim] = kernel.shape;
  if (inDim !== kIn) throw new Error(`dense: input has ${inDim} features but the kernel expects ${kIn}`);
  if (bias.rank !== 1 || bias.shape[0] !== outDim) {
    throw new Error(`dense: bias shape [${bias.shape.join(',')}] does not match ${outDim} outputs`);
  }
  if (n === 0) throw new Error('dense: empty batch');
  if (layerGradients() === 'default') return activate(tf.add(tf.matMul(x, kernel), bias) as tf.Tensor2D, activation);
  const z = lazyGradOp<tf.Tensor2D>(
    [x, kernel, bias],
    (save) => {
      save([x, kernel]);
      return tf.add(tf.matMul(x, kernel), bias);
    },
    (dz, saved) => {
      const [xs, w] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [
        () => tf.matMul(dz, tf.transpose(w)),
        () => tf.matMul(tf.transpose(xs), dz),
        // Σₙ as the product 1ᵀ·dz: WASM's Sum over a non-innermost axis transposes its input first.
        () => tf.reshape(tf.matMul(tf.ones([1, dz.shape[0]]), dz), [dz.shape[1]]),
      ];
    },
  );
  if (activation === 'linear') return z;
  const y = activate(z, activation);
  z.dispose();
  return y;
}

/**
 * Glorot-uniform kernel W ~ U(−l, l) with l = √(6 / (inDim + outDim)), and zero bias.
 * Deterministic given `seed` (passed to `tf.randomUniform`). The caller owns the tensors.
 */
export function initDense(inDim: number, outDim: number, seed: number): DenseParams {
  if (!(Number.isInteger(inDim) && inDim > 0 && Number.isInteger(outDim) && outDim > 0)) {
    throw new Error(`initDense: dimensions must be positive integers, got ${inDim}×${outDim}`);
  }
  checkTensorSize('dense kernel', [inDim, outDim]);
  const limit = Math.sqrt(6 / (inDim + outDim));
  return {
    kernel: tf.randomUniform([inDim, outDim], -limit, limit, 'float32', seed),
    bias: tf.zeros([outDim]),
  };
}
