/**
 * Which gradients the layers use. `custom` (the default) is the hand-written, fast-path form;
 * `default` routes `dense`, `conv2d` and `conv2dTranspose` through plain TensorFlow.js ops and
 * their built-in gradients — the unoptimised reference that benchmarks and tests compare against.
 * (On WASM the built-in conv filter gradient does not exist, so `default` trains conv layers only
 * on the CPU or native backends.) A process-wide switch, for measurement only.
 */
export type LayerGradients = 'custom' | 'default';

let mode: LayerGradients = 'custom';

export function setLayerGradients(m: LayerGradients): void {
  mode = m;
}

export function layerGradients(): LayerGradients {
  return mode;
}
