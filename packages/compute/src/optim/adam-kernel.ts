import * as tf from '@tensorflow/tfjs-core';
import { instantiateAdamSimd, type WasmMemory } from './adam-simd.js';

/**
 * Adam's element-wise update as one kernel on the single-threaded backends (WASM and pure-JS CPU):
 *
 *   g ← scale·g;  m' = β1·m + (1−β1)·g;  v' = β2·v + (1−β2)·g²;  θ' = θ − stepSize · m' / (√v' + ε̂)
 *
 * Composed of TensorFlow.js ops, this update is a dozen kernels per parameter, each a full pass
 * over its memory (≈ 100 kernels and 4 ms per step of the reference model on WASM); fused, it is one
 * pass in which each value is loaded once. Inputs: param, m, v, grad and an optional scalar `scale`
 * (gradient clipping's factor, read from backend memory, so nothing waits on the host). Outputs:
 * the new param, m and v. On `wasm` it is WebAssembly SIMD code in the backend's memory
 * (adam-simd.ts, registered when the backend is selected); on `cpu` a JavaScript loop.
 */
export const ADAM_UPDATE = 'ElboAdamUpdate';

export interface AdamUpdateAttrs {
  readonly beta1: number;
  readonly beta2: number;
  readonly stepSize: number;
  readonly epsHat: number;
}

function update(p: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, scale: number, a: AdamUpdateAttrs, po: Float32Array, mo: Float32Array, vo: Float32Array): void {
  const { beta1, beta2, stepSize, epsHat } = a;
  const c1 = 1 - beta1;
  const c2 = 1 - beta2;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]! * scale;
    const mi = beta1 * m[i]! + c1 * gi;
    const vi = beta2 * v[i]! + c2 * gi * gi;
    mo[i] = mi;
    vo[i] = vi;
    po[i] = p[i]! - (stepSize * mi) / (Math.sqrt(vi) + epsHat);
  }
}

interface WasmBackend {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  dataIdMap: { get(id: tf.DataId): { memoryOffset: number } };
  wasm: { asm: { memory: WasmMemory } };
}

interface CpuBackend {
  data: { get(id: tf.DataId): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

const names = ['param', 'm', 'v', 'grad'] as const;

let wasmReady: Promise<void> | undefined;

/**
 * Registers the WASM kernel once the WASM backend is active: its SIMD code is instantiated against
 * that backend's memory (see adam-simd.ts). Called by `selectBackend`; a failure leaves the
 * composed update in use.
 */
export function prepareWasmAdam(): Promise<void> {
  return (wasmReady ??= (async () => {
    const b = tf.findBackend('wasm') as unknown as WasmBackend | null;
    if (!b) return;
    const adam = await instantiateAdamSimd(b.wasm.asm.memory);
    tf.registerKernel({
      kernelName: ADAM_UPDATE,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const wb = backend as unknown as WasmBackend;
        const shape = inputs['param']!.shape;
        const outs = [wb.makeOutput(shape, 'float32'), wb.makeOutput(shape, 'float32'), wb.makeOutput(shape, 'float32')];
        const at = (t: tf.TensorInfo) => wb.dataIdMap.get(t.dataId).memoryOffset;
        const scale = inputs['scale'] ? wb.typedArrayFromHeap(inputs['scale'])[0]! : 1;
        const { beta1, beta2, stepSize, epsHat } = attrs as unknown as AdamUpdateAttrs;
        const n = shape.reduce((a, d) => a * d, 1);
        adam(
          at(inputs['param']!),
          at(inputs['m']!),
          at(inputs['v']!),
          at(inputs['grad']!),
          at(outs[0]!),
          at(outs[1]!),
          at(outs[2]!),
          n,
          beta1,
          1 - beta1,
          beta2,
          1 - beta2,
          stepSize,
          epsHat,
          scale,
        );
        return outs;
      },
    });
  })().catch((e: unknown) => {
    wasmProblem = `the fused Adam update for WASM could not be built (${(e as Error).message.split('\n')[0]}); using composed ops`;
  }));
}

let wasmProblem: string | undefined;

/** Why the WASM backend runs Adam as composed ops, if it does (for `elbo doctor`). */
export function fusedAdamProblem(): string | undefined {
  return wasmProblem;
}

tf.registerKernel({
  kernelName: ADAM_UPDATE,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = backend as unknown as CpuBackend;
    const shape = inputs['param']!.shape;
    const [p, m, v, g] = names.map((n) => b.data.get(inputs[n]!.dataId).values);
    const scale = inputs['scale'] ? b.data.get(inputs['scale'].dataId).values[0]! : 1;
    const po = new Float32Array(p!.length);
    const mo = new Float32Array(p!.length);
    const vo = new Float32Array(p!.length);
    update(p!, m!, v!, g!, scale, attrs as unknown as AdamUpdateAttrs, po, mo, vo);
    return [b.makeTensorInfo(shape, 'float32', po), b.makeTensorInfo(shape, 'float32', mo), b.makeTensorInfo(shape, 'float32', vo)];
  },
});

/** Whether the fused update runs on the active backend. */
export function hasFusedAdam(): boolean {
  return tf.getKernel(ADAM_UPDATE, tf.getBackend()) !== undefined;
}

/**
 * One fused update; the caller owns the three results (new param, m, v). `hyper`, on the native
 * backend: [β1, 1−β1, β2, 1−β2, ε̂, step size] as a tensor, in place of the attributes' values.
 */
export function adamUpdate(
  param: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  grad: tf.Tensor,
  scale: tf.Scalar | undefined,
  attrs: AdamUpdateAttrs,
  hyper?: tf.Tensor,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const inputs: tf.NamedTensorMap = { param, m, v, grad };
  if (scale) inputs['scale'] = scale;
  if (hyper) inputs['hyper'] = hyper;
  return tf.engine().runKernel(ADAM_UPDATE, inputs, attrs as unknown as tf.NamedAttrMap) as unknown as [tf.Tensor, tf.Tensor, tf.Tensor];
}
