import * as tf from '@tensorflow/tfjs-core';
import { ADAM_UPDATE, type AdamUpdateAttrs } from '../optim/adam-kernel.js';
import { nodeBackend, type FunctionSpec, type NativeBinding, type NodeBackendLike, type OpAttr } from './native-binding.js';

/**
 * Kernels and gradients of the native backend that dispatch fewer TensorFlow.js ops than tfjs-node's:
 * Adam's update of one parameter as one op (a TensorFlow function of the twelve ops adam.ts
 * composes, registered once per shape), relu's gradient as TensorFlow's ReluGrad, reshapes and casts
 * that change nothing as shared data, and the gradients of sum and mean without host-made ones.
 * Each computes the values the ops it replaces compute.
 *
 * What it saves is TensorFlow.js's work per op — dispatch, the gradient tape, tidy bookkeeping,
 * host-made tensors — which a compiled step (step-compiler.ts) pays in every step's JavaScript
 * although no op runs there: the reference MLP's step drops from 218 ops and 108 host-made tensors
 * to 87 and 38. Inside a compiled step a composite's ops are written out in place
 * (`expandComposite`), so Grappler and XLA see through them; eagerly, it is one function call.
 */

/** Emits one op into the function being built; returns the index of its first output. */
type Emit = (op: string, inputs: (number | number[])[], attrs: readonly OpAttr[], numOutputs?: number) => number;

interface Composite {
  /** The ops computing the outputs from the inputs' indices; returns the outputs' indices. */
  build(inputs: readonly number[], emit: Emit, b: NativeBinding): number[];
}

const typeAttr = (b: NativeBinding, name = 'T'): OpAttr => ({ name, type: b.TF_ATTR_TYPE, value: b.TF_FLOAT });

/**
 * Adam, as adam.ts composes it: inputs θ, m, v, g, the scalars [β1, 1−β1, β2, 1−β2, ε̂, stepSize]
 * and, when clipping, the gradient's scale; outputs θ', m', v'.
 */
const adam: Composite = {
  build([p, m, v, g0, scalars, scale], emit, b) {
    const T = [typeAttr(b)];
    const s = emit('Unpack', [scalars!], [{ name: 'num', type: b.TF_ATTR_INT, value: 6 }, { name: 'axis', type: b.TF_ATTR_INT, value: 0 }, typeAttr(b)], 6);
    const [beta1, c1, beta2, c2, epsHat, stepSize] = [0, 1, 2, 3, 4, 5].map((i) => s + i);
    const g = scale === undefined ? g0! : emit('Mul', [g0!, scale], T);
    const mNew = emit('Add', [emit('Mul', [m!, beta1!], T), emit('Mul', [g, c1!], T)], T);
    const vNew = emit('Add', [emit('Mul', [v!, beta2!], T), emit('Mul', [emit('Square', [g], T), c2!], T)], T);
    const step = emit('Mul', [emit('RealDiv', [mNew, emit('Add', [emit('Sqrt', [vNew], T), epsHat!], T)], T), stepSize!], T);
    return [emit('Sub', [p!, step], T), mNew, vNew];
  },
};

const composites = new Map<string, Composite>([
  ['elbo_adam', adam],
  ['elbo_adam_scaled', adam],
]);

/** The composite a recorded op runs (its function's name less the shape suffix), if it is one. */
function compositeOf(op: string): Composite | undefined {
  return op.startsWith('elbo_') ? composites.get(op.slice(0, op.lastIndexOf('__'))) : undefined;
}

/**
 * Writes a recorded composite op's ops into a function being built (`emit`), given its inputs'
 * indices; returns the outputs' indices, or undefined when `op` is not a composite.
 */
export function expandComposite(op: string, inputs: readonly number[], emit: Emit, b: NativeBinding): number[] | undefined {
  return compositeOf(op)?.build(inputs, emit, b);
}

const defined = new Set<string>();

/** Runs composite `name` on `inputs` eagerly (registering its function for these shapes first). */
function run(backend: NodeBackendLike, name: string, inputs: tf.TensorInfo[], numOutputs: number): tf.TensorInfo[] {
  const fn = `${name}__${inputs.map((t) => t.shape.join('x') || 's').join('_')}`;
  const b = backend.binding;
  if (!defined.has(fn)) {
    const spec: FunctionSpec = { inputs: inputs.map((t) => ({ dtype: b.TF_FLOAT, shape: t.shape })), nodes: [], outputs: [] };
    let next = inputs.length;
    const emit: Emit = (op, ins, attrs, n = 1) => {
      spec.nodes.push({ op, inputs: ins, attrs, numOutputs: n });
      next += n;
      return next - n;
    };
    spec.outputs = composites.get(name)!.build(
      inputs.map((_, i) => i),
      emit,
      b,
    );
    b.defineFunction!(fn, spec, false);
    defined.add(fn);
  }
  const exec = backend as unknown as { executeMultipleOutputs(name: string, attrs: OpAttr[], inputs: tf.TensorInfo[], n: number): tf.TensorInfo[] };
  return exec.executeMultipleOutputs(fn, [], inputs, numOutputs);
}

let registered = false;

/**
 * Registers these kernels and gradients on the native backend; called by `selectBackend`. Adam's
 * needs a binding built by `elbo backend native` (it registers functions), the others any tfjs-node
 * binding. Other cases (a reshape that changes the shape, another dtype) keep tfjs-node's kernels
 * and TensorFlow.js's gradients.
 */
export function registerNativeKernels(): void {
  const backend = nodeBackend();
  if (registered || !backend) return;
  registered = true;
  if (typeof backend.binding.defineFunction === 'function')
    tf.registerKernel({
      kernelName: ADAM_UPDATE,
      backendName: 'tensorflow',
      kernelFunc: ({ inputs, backend: kb, attrs }) => {
        const { beta1, beta2, stepSize, epsHat } = attrs as unknown as AdamUpdateAttrs;
        const nb = kb as unknown as NodeBackendLike & { write(values: Float32Array, shape: number[], dtype: 'float32'): tf.DataId };
        const given = inputs['hyper'];
        const values = given ? undefined : Float32Array.of(beta1, 1 - beta1, beta2, 1 - beta2, epsHat, stepSize);
        const scalars: tf.TensorInfo = given ?? { dataId: nb.write(values!, [6], 'float32'), shape: [6], dtype: 'float32' };
        const scale = inputs['scale'];
        const args = [inputs['param']!, inputs['m']!, inputs['v']!, inputs['grad']!, scalars, ...(scale ? [scale] : [])];
        const out = run(nb, scale ? 'elbo_adam_scaled' : 'elbo_adam', args, 3);
        if (!given) nb.disposeData(scalars.dataId);
        return out;
      },
    });
  // A reshape to the shape a tensor has and a cast to the dtype it has — TensorFlow.js's gradients
  // of broadcasting ops and of products make one for every input — share the tensor's data, as
  // TensorFlow.js's CPU backend does for every reshape, instead of running an op.
  override('Reshape', ({ inputs, attrs, backend: kb }) => {
    const x = inputs['x']!;
    return sameShape(x.shape, attrs?.['shape'] as number[]) ? share(kb, x) : undefined;
  });
  override('Cast', ({ inputs, attrs, backend: kb }) => {
    const x = inputs['x']!;
    return x.dtype === attrs?.['dtype'] ? share(kb, x) : undefined;
  });
  // relu's gradient as TensorFlow's ReluGrad: one pass over the layer's output where TensorFlow.js
  // makes five (its step function, then a product) — the same values (dy where x > 0, else 0).
  tf.registerKernel({
    kernelName: RELU_GRAD,
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, backend: kb }) => {
      const nb = kb as unknown as { executeSingleOutput(name: string, attrs: OpAttr[], inputs: tf.TensorInfo[]): tf.TensorInfo };
      return nb.executeSingleOutput('ReluGrad', [typeAttr(backend.binding)], [inputs['dy']!, inputs['x']!]);
    },
  });
  // Given the layer's output rather than its input (y > 0 exactly where x > 0): the pre-activation
  // then has one consumer, so Grappler fuses convolution or product, bias and relu into one kernel.
  replaceGradient('Relu', (dy, [x, y]) => (x!.dtype === 'float32' && y ? { x: () => tf.engine().runKernel(RELU_GRAD, { dy, x: y }) as tf.Tensor } : undefined), {
    outputsToSave: [true],
  });
  // The gradients of a sum and a mean multiply the incoming gradient by an array of ones as large
  // as the input, made on the host every step; broadcasting it gives the same values without one.
  for (const name of ['Sum', 'Mean'])
    replaceGradient(name, (dy, [x], attrs) => {
      const axes = tf.util.parseAxisParam(attrs['axis'] as number | number[], x!.shape);
      const kept = x!.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const count = axes.reduce((n, a) => n * x!.shape[a]!, 1);
      const spread = () => tf.broadcastTo(tf.reshape(dy, kept), x!.shape);
      return { x: name === 'Sum' ? spread : () => tf.div(spread(), count) };
    });
}

/** relu's gradient on the native backend (TensorFlow's ReluGrad). */
const RELU_GRAD = 'ElboReluGrad';

/**
 * Replaces TensorFlow.js's gradient of kernel `name` while the native backend is active (gradients
 * are registered for every backend); `grad` hands back to the original where it returns undefined.
 * `extra.outputsToSave` keeps outputs for `grad` too (after the inputs the original saves, which
 * it reads first and so still finds in place).
 */
function replaceGradient(
  name: string,
  grad: (dy: tf.Tensor, saved: tf.Tensor[], attrs: tf.NamedAttrMap) => Record<string, () => tf.Tensor> | undefined,
  extra: Partial<Pick<tf.GradConfig, 'outputsToSave'>> = {},
): void {
  const original = tf.getGradient(name);
  if (!original) return;
  tf.registerGradient({
    ...original,
    ...extra,
    gradFunc: (dy, saved, attrs) => (tf.getBackend() === 'tensorflow' && !Array.isArray(dy) ? grad(dy, saved, attrs) : undefined) ?? original.gradFunc(dy, saved, attrs),
  });
}

function sameShape(a: readonly number[], b: readonly number[] | undefined): boolean {
  return !!b && a.length === b.length && a.every((d, i) => d === b[i]);
}

function share(backend: unknown, x: tf.TensorInfo): tf.TensorInfo {
  (backend as { incRef(dataId: tf.DataId): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Replaces tfjs-node's kernel `name` with `kernel`, which hands back to the original where it returns undefined. */
function override(name: string, kernel: (args: Parameters<tf.KernelFunc>[0]) => tf.TensorInfo | tf.TensorInfo[] | undefined): void {
  const original = tf.getKernel(name, 'tensorflow');
  if (!original) return;
  tf.unregisterKernel(name, 'tensorflow');
  tf.registerKernel({ ...original, kernelFunc: (args) => kernel(args) ?? original.kernelFunc(args) });
}
