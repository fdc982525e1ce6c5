import * as tf from '@tensorflow/tfjs-core';

/**
 * Which gradients the layers use. `custom` is the hand-written form that stays on the WASM and
 * CPU backends' fast kernels; `default` routes `dense`, `conv2d` and `conv2dTranspose` through plain
 * TensorFlow.js ops and their built-in gradients — the unoptimised reference, and the faster path
 * on the native backend, whose built-in kernels (multi-threaded, with a real filter-gradient
 * convolution) beat the hand-written forms there. `auto` (the default) picks `default` on the
 * native backend and `custom` elsewhere. (On WASM the built-in conv filter gradient does not exist,
 * so `default` trains conv layers only on the CPU or native backends.) A process-wide switch.
 */
export type LayerGradients = 'auto' | 'custom' | 'default';

let mode: LayerGradients = 'auto';

export function setLayerGradients(m: LayerGradients): void {
  mode = m;
}

/** The gradients the layers use now (`auto` resolved against the active backend). */
export function layerGradients(): Exclude<LayerGradients, 'auto'> {
  if (mode !== 'auto') return mode;
  return tf.getBackend() === 'tensorflow' ? 'default' : 'custom';
}
