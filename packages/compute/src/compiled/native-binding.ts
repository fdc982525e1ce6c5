import * as tf from '@tensorflow/tfjs-core';

/** An op attribute as tfjs-node's binding takes it. */
export interface OpAttr {
  readonly name: string;
  readonly type: number;
  readonly value: unknown;
}

/** What the binding returns for each output of an op. */
export interface TensorMeta {
  id: number;
  shape: number[];
  dtype: number;
}

/** The function spec `defineFunction` takes (see packages/native-backend/binding/elbo_functions.cc). */
export interface FunctionSpec {
  inputs: { dtype: number; shape: number[] }[];
  nodes: { op: string; inputs: (number | number[])[]; attrs: readonly OpAttr[]; numOutputs: number; value?: { dtype: number; shape: number[]; data: ArrayBufferView } }[];
  outputs: number[];
}

/** tfjs-node's binding as ELBO builds it: the binding's own calls plus `defineFunction` / `removeFunction`. */
export interface NativeBinding {
  createTensor(shape: number[], dtype: number, values: ArrayBufferView | unknown[]): number;
  deleteTensor(id: number): void;
  tensorDataSync(id: number): ArrayBufferView;
  executeOp(name: string, attrs: readonly OpAttr[], inputIds: number[], numOutputs: number): TensorMeta[];
  defineFunction?(name: string, spec: FunctionSpec, xla: boolean): void;
  removeFunction?(name: string): void;
  /** Runs a registered function without waiting for it (an asynchronous executor); returns the output ids. */
  callFunction?(name: string, inputIds: number[], numOutputs: number): number[];
  getNumOfTensors?(): number;
  readonly TF_FLOAT: number;
  readonly TF_INT32: number;
  readonly TF_BOOL: number;
  readonly TF_ATTR_TYPE: number;
  readonly TF_ATTR_STRING: number;
  readonly TF_ATTR_INT: number;
  readonly TF_ATTR_BOOL: number;
}

/** The parts of tfjs-node's NodeJSKernelBackend the step compiler works with. */
export interface NodeBackendLike {
  binding: NativeBinding;
  tensorMap: { get(dataId: object): { id: number; values: unknown; shape: number[]; dtype: number } | undefined; has(dataId: object): boolean };
  createOutputTensor(meta: TensorMeta): tf.Tensor;
  disposeData(dataId: object, force?: boolean): boolean;
}

/** The active backend when it is tfjs-node's, else undefined. */
export function nodeBackend(): NodeBackendLike | undefined {
  if (tf.getBackend() !== 'tensorflow') return undefined;
  const b = tf.backend() as unknown as Partial<NodeBackendLike>;
  return b && typeof b.binding === 'object' && b.tensorMap ? (b as NodeBackendLike) : undefined;
}

/**
 * Whether training steps can run as one compiled TensorFlow function here: the native backend is
 * active and its binding was built by `elbo backend native` with ELBO's function calls.
 */
export function compiledStepsProblem(): string | undefined {
  const b = nodeBackend();
  if (!b) return `the backend is ${tf.getBackend()}, not the native one (tensorflow)`;
  if (typeof b.binding.defineFunction !== 'function') return 'the native binding has no defineFunction (it was not built by `elbo backend native`; run it again)';
  return undefined;
}
