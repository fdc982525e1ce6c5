import * as tf from '@tensorflow/tfjs-core';
import { beginHostLog, endHostLog, type HostItem, type HostLog, type StepPlan } from './host-inputs.js';
import { expandComposite } from './native-kernels.js';
import { nodeBackend, type FunctionSpec, type NativeBinding, type NodeBackendLike, type OpAttr, type TensorMeta } from './native-binding.js';

/** `train.compile`: how steps run on the native backend. */
export type CompileMode = 'graph' | 'xla';

const env = (name: string) => (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
/** Function calls are queued without waiting where the binding offers it (ELBO_COMPILE_SYNC=1: wait for each, to measure). */
const ASYNC_CALLS = env('ELBO_COMPILE_SYNC') !== '1';

/** Where a recorded op's input comes from: a tensor from before the step, a host-made tensor, or an op of the step. */
type Src = { k: 'ext'; slot: number } | { k: 'const'; i: number } | { k: 'node'; n: number; o: number };

interface TraceNode {
  readonly op: string;
  readonly attrs: readonly OpAttr[];
  readonly inputs: Src[];
  readonly outputs: { shape: number[]; dtype: number }[];
}

interface TraceConst {
  readonly shape: number[];
  readonly dtype: number;
  /** Values of a constant baked into the function (small ones); fed constants keep none. */
  values?: ArrayLike<number>;
  fed: boolean;
}

interface Trace {
  readonly id: number;
  readonly nodes: TraceNode[];
  readonly consts: TraceConst[];
  readonly externals: { shape: number[]; dtype: number }[];
  /** The op outputs alive when the step ended (new parameters, optimiser state, running sums…). */
  outputs: { n: number; o: number }[];
  /** Why this trace cannot become a function (a host read, an op without a graph form…). */
  problem?: string;
  fn?: string;
  version: number;
  /** Fed float scalars, by const index: one input vector of the function, unpacked inside it. */
  packed: number[];
}

/**
 * Host-made integer tensors up to this many elements (shapes, axes) and tensors of any size with one
 * value throughout (zeros, ones) are baked into the function while their values repeat (compared
 * every step); the others — batches, noise, and float scalars, which are often per-step values such
 * as a learning rate or Adam's bias correction — are inputs from the start, so the function is not
 * built twice (for XLA, compiled twice) before it settles.
 */
const BAKE_LIMIT = 16;
/** Different traces kept before the step is judged to change its ops from step to step. */
const MAX_TRACES = 8;
/** Ids of tensors a shadowed step has not computed yet: negative, below tfjs-node's "not uploaded" −1. */
const FAKE_BASE = -2;

let nextCompilerId = 0;

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}

function sameAttrs(a: readonly OpAttr[], b: readonly OpAttr[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.name !== b[i]!.name || a[i]!.type !== b[i]!.type || !sameValue(a[i]!.value, b[i]!.value)) return false;
  return true;
}

function sameSrc(a: Src, b: Src): boolean {
  if (a.k !== b.k) return false;
  if (a.k === 'ext') return a.slot === (b as typeof a).slot;
  if (a.k === 'const') return a.i === (b as typeof a).i;
  return a.n === (b as typeof a).n && a.o === (b as typeof a).o;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function uniform(v: ArrayLike<number>): boolean {
  const first = v[0];
  for (let i = 1; i < v.length; i++) if (v[i] !== first) return false;
  return true;
}

function copyValues(v: ArrayLike<number>): ArrayLike<number> {
  return ArrayBuffer.isView(v) ? (v as unknown as Float32Array).slice() : Array.from(v);
}

function bytesOf(v: ArrayLike<number>): Buffer | undefined {
  return ArrayBuffer.isView(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : undefined;
}

/** Equal values; typed arrays of one type are compared as bytes (memcmp: a baked fill of millions of values is checked every step). */
function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  const [x, y] = [bytesOf(a), bytesOf(b)];
  if (x && y && a.constructor === b.constructor) return x.equals(y);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
}

/** Ops whose inputs include a list argument in graph form, and how the flat inputs split into arguments. */
function groupInputs(op: string, attrs: readonly OpAttr[], flat: number[]): (number | number[])[] | string {
  switch (op) {
    case 'AddN':
    case 'Pack':
    case 'IdentityN':
    case 'ShapeN':
    case 'Einsum':
      return [flat];
    case 'ConcatV2':
      return [flat.slice(0, -1), flat[flat.length - 1]!];
    case 'Concat':
      return [flat[0]!, flat.slice(1)];
    default:
      return attrs.some((a) => a.name === 'N') ? `op ${op} takes a list of inputs the step compiler cannot group` : flat;
  }
}

/** One step being recorded while it runs eagerly. */
interface Recording {
  readonly trace: Trace;
  readonly idSrc: Map<number, Src>;
  readonly extSlot: Map<number, number>;
  /** Op outputs of the step not yet deleted, in the order they were made. */
  readonly live: Map<number, { n: number; o: number }>;
  /** The tensor id of each host-made tensor, by its index in the trace. */
  readonly constIds: number[];
  /** The value of each host-made scalar, by its index in the trace. */
  readonly scalars: number[];
  /** TensorFlow.js's record of each op output (to give it the function's tensor). */
  readonly infos: Map<number, { id: number }>;
  /** Tensors from before the step and host-made ones released during it: the function still reads them. */
  readonly pendingDeletes: number[];
}

type ExtInfo = { shape: number[]; dtype: number };

type ShadowEvent =
  | { kind: 'const'; fake: number; shape: number[]; dtype: number; values: ArrayLike<number> }
  | { kind: 'op'; name: string; attrs: readonly OpAttr[]; ids: number[]; numOutputs: number; fakes: number[] };

/** One step whose JavaScript runs while no op executes: it is checked against the recorded traces. */
interface Shadow {
  candidates: Trace[];
  ops: number;
  readonly consts: { fake: number; shape: number[]; dtype: number; values: ArrayLike<number> }[];
  readonly extIds: number[];
  readonly extSlot: Map<number, number>;
  /** Shapes and dtypes of the tensors from before the step, by id (for a replay). */
  readonly extInfo: Map<number, ExtInfo>;
  readonly fakeSrc: Map<number, Src>;
  readonly nodeFakes: number[][];
  readonly events: ShadowEvent[];
  /** Baked constants whose value differs from a candidate's, by candidate. */
  readonly differs: Map<Trace, Set<number>>;
  readonly pendingDeletes: number[];
  readonly infos: Map<number, { id: number }>;
  readonly dead: Set<number>;
  /** TensorFlow.js's data id of each placeholder and of each tensor from before the step. */
  readonly dataIds: Map<number, object>;
  /** The host log of a step run with a plan, and the log item that made each host-made tensor. */
  readonly host?: HostLog;
  readonly constItem: (number | undefined)[];
}

/** A compiled step as the last one ran it, kept to run the next ones without their code. */
interface Settled {
  readonly trace: Trace;
  /** The ids of its inputs and outputs; a step run without its code puts its own here. */
  extIds: number[];
  outIds: number[];
  /** The values of its host-made tensors, by const index. */
  readonly constValues: ArrayLike<number>[];
  /** Whether steps ran without their code after it. */
  replayed: boolean;
  /** TensorFlow.js's record and data id of each output the step's code kept, by position. */
  readonly outInfos: ({ id: number } | undefined)[];
  readonly outData: (object | undefined)[];
  readonly extData: (object | undefined)[];
  readonly result: unknown;
  readonly host?: HostLog;
  readonly constItem: (number | undefined)[];
  readonly tensorsAtStart: number;
}

/** How the next steps run without their code: each input's source, and the host items to repeat. */
interface Replay {
  readonly last: Settled;
  /** Per input of the step: an output of the previous step (by position), or the same tensor as before. */
  readonly inputs: ({ out: number } | { fixed: number; data: object })[];
  /** The outputs the previous step's code kept, which a repeated step updates in place. */
  readonly kept: { p: number; info: { id: number }; data: object; before?: object }[];
  /** The same, by output position. */
  readonly keptAt: Map<number, { id: number }>;
  readonly items: readonly HostItem[];
  /** The log item that makes each fed host-made tensor, by const index. */
  readonly fedItem: Map<number, number>;
  /** Fed host-made tensors made by undeclared code, which had the same values in both steps: taken as constants. */
  readonly assumed: Map<number, ArrayLike<number>>;
}

/** A step run without its code every this many runs its code instead, to check what the others assumed. */
const CHECK_EVERY = 50;

/** What `StepCompiler` reports once: a fallback to eager steps, or a function registered. */
export type CompilerLog = (line: string) => void;

/**
 * Runs a step — a JavaScript function of TensorFlow.js calls that leaves its results in variables and
 * kept tensors — as one TensorFlow function on the native backend.
 *
 * The first time, the step runs eagerly while every op the binding executes is recorded with its
 * attributes and data flow (a trace). From then on the step's JavaScript still runs each time (so
 * host-side values, random draws and variable assignments happen exactly as in an eager step), but
 * no op executes: the binding answers with placeholders of the recorded shapes while the calls are
 * checked against the trace. When the step ends as traced, the trace — as one function (Grappler, or
 * XLA with `xla`) with the tensors from before the step and the host-made tensors as inputs and the
 * step's surviving tensors as outputs — runs in one call, and its outputs become the placeholders'
 * tensors. A step that leaves the trace (different ops, shapes, a value read on the host) is
 * replayed eagerly from where it left and recorded as a new trace; constants that change between
 * steps become inputs. A step that cannot be a function at all (a host read of a computed value, an
 * op without a graph form) makes the compiler fall back to eager steps for good, with one logged line.
 */
export class StepCompiler {
  private readonly uid = nextCompilerId++;
  private readonly traces: Trace[] = [];
  private rec: Recording | undefined;
  private shadow: Shadow | undefined;
  private nextFake = FAKE_BASE;
  private nextTrace = 0;
  private disabledReason: string | undefined;
  /** Input tensors of the op about to execute, from `getInputTensorIds` (their shapes and dtypes). */
  private pendingInputs: readonly tf.Tensor[] | undefined;
  private readonly original: NativeBinding;
  private readonly originalDispose: NodeBackendLike['disposeData'];
  private readonly originalOutput: NodeBackendLike['createOutputTensor'];
  private readonly originalInputIds: (tensors: tf.Tensor[]) => number[];
  /**
   * Steps run as one function call, steps recorded eagerly, functions registered; and, over the
   * compiled steps, milliseconds spent in the step's JavaScript (TensorFlow.js dispatching the ops
   * without running them) and in the function call; steps run without their code (`replayed`), and
   * the milliseconds of their host work and of their calls.
   */
  readonly stats = { compiled: 0, recorded: 0, functions: 0, scriptMs: 0, callMs: 0, replayed: 0, replayHostMs: 0, replayCallMs: 0 };
  /** The last compiled step, and how the next ones run without their code (when they can). */
  private settled: Settled | undefined;
  private replay: Replay | undefined;
  /** Why the last compiled step's successors run their code (for tests and the bench). */
  replayProblem: string | undefined;
  private toldReplay = false;
  private readonly replays = env('ELBO_COMPILE_REPLAY') !== '0';
  private sinceCheck = 0;
  /** Why steps no longer run without their code (a value taken as constant changed). */
  private replayOff: string | undefined;

  constructor(
    private readonly backend: NodeBackendLike,
    readonly mode: CompileMode,
    private readonly log: CompilerLog = () => {},
    private readonly queued = true,
  ) {
    this.original = backend.binding;
    const b = backend as NodeBackendLike & { getInputTensorIds: (t: tf.Tensor[]) => number[] };
    this.originalDispose = b.disposeData;
    this.originalOutput = b.createOutputTensor;
    this.originalInputIds = b.getInputTensorIds;
  }

  /** Compiles `fn`'s ops when the native backend with ELBO's binding runs, else runs it as is. */
  static create(mode: CompileMode, log?: CompilerLog, queued = true): StepCompiler | undefined {
    const b = nodeBackend();
    return b && typeof b.binding.defineFunction === 'function' ? new StepCompiler(b, mode, log, queued) : undefined;
  }

  /** Why steps run eagerly now (after a fallback), or undefined. */
  get fallback(): string | undefined {
    return this.disabledReason;
  }

  /**
   * Runs one step. With `plan` (a training loop's seeds for this step), a step whose host work is
   * all declared (host-inputs.ts) and whose inputs are the previous step's outputs or the same
   * tensors each time runs, once two steps have shown it, without its code: its host items are
   * repeated, the function called, and the kept tensors — parameters, optimiser state, the
   * returned result — take the new values in place (the same result object is returned).
   */
  run<T>(fn: () => T, given?: StepPlan): T {
    if (this.disabledReason !== undefined) return fn();
    // ELBO_COMPILE_REPLAY=0: every step runs its code (to measure what running without it gains, and to compare).
    const plan = this.replays ? given : undefined;
    if (this.replay) {
      const ready = plan && this.replayReady();
      if (ready && ++this.sinceCheck < CHECK_EVERY) return this.replayStep(plan) as T;
      // Not ready: the step is not as the replay left it (a new epoch's first step…); else a check.
      if (!ready) this.settled = undefined;
      this.replay = undefined;
      this.sinceCheck = 0;
    }
    const tensorsAtStart = tf.engine().state.numTensors;
    const candidates = this.traces.filter((t) => !t.problem);
    if (candidates.length) this.beginShadow(candidates, plan ? beginHostLog(plan) : undefined);
    else this.beginRecording();
    this.install();
    let result: T;
    const started = performance.now();
    try {
      result = fn();
    } catch (e) {
      endHostLog();
      if (this.shadow) this.flush();
      this.endRecording(false);
      this.uninstall();
      throw e;
    }
    endHostLog();
    try {
      if (this.shadow) this.finishShadow(performance.now() - started, { result, tensorsAtStart });
      else this.settled = undefined;
      if (this.rec) this.endRecording(true);
    } finally {
      this.uninstall();
    }
    return result;
  }

  /**
   * Milliseconds per call of the last registered step function, called `calls` times in a row and
   * waited for, on one set of inputs of the recorded shapes made here (small deterministic values);
   * with `keep`, each call's outputs are released only after the next call, as a training step's
   * new parameters are. What the function costs without the step's JavaScript (the bench's split).
   */
  timeFunction(calls: number, keep: boolean): number | undefined {
    const t = [...this.traces].reverse().find((u) => u.fn);
    if (!t) return undefined;
    const b = this.original;
    let k = 0;
    const make = (shape: number[], dtype: number) => {
      const n = shape.reduce((a, d) => a * d, 1);
      const values = dtype === b.TF_FLOAT ? Float32Array.from({ length: n }, () => 0.01 * Math.sin(++k)) : new Int32Array(n);
      return b.createTensor(shape, dtype, values);
    };
    const fed = this.fedInputs(
      t,
      (i) => make(t.consts[i]!.shape, t.consts[i]!.dtype),
      () => 0.01 * Math.sin(++k),
    );
    const inputs = [...t.externals.map((e) => make(e.shape, e.dtype)), ...fed.ids];
    const run = () => b.executeOp(t.fn!, [], inputs, t.outputs.length).map((m) => m.id);
    let previous = run();
    const started = performance.now();
    for (let i = 0; i < calls; i++) {
      if (!keep) previous.forEach((id) => b.deleteTensor(id));
      const out = run();
      if (keep) previous.forEach((id) => b.deleteTensor(id));
      previous = out;
    }
    const ms = (performance.now() - started) / calls;
    [...previous, ...inputs].forEach((id) => b.deleteTensor(id));
    return ms;
  }

  /** Drops the registered functions. */
  dispose(): void {
    for (const t of this.traces) if (t.fn) this.original.removeFunction?.(t.fn);
    this.traces.length = 0;
  }

  // ---- interception -------------------------------------------------------------------------

  private install(): void {
    const b = this.backend as NodeBackendLike & { getInputTensorIds: (t: tf.Tensor[]) => number[] };
    // The binding's own properties are read-only: the wrapper defines its own over them.
    const wrapped = Object.create(this.original, {
      createTensor: { value: (shape: number[], dtype: number, values: ArrayBufferView) => this.createTensor(shape, dtype, values) },
      executeOp: { value: (name: string, attrs: readonly OpAttr[], ids: number[], n: number) => this.executeOp(name, attrs, ids, n) },
      tensorDataSync: { value: (id: number) => this.tensorDataSync(id) },
      deleteTensor: { value: (id: number) => this.deleteTensor(id) },
    }) as NativeBinding;
    b.binding = wrapped;
    b.getInputTensorIds = (tensors: tf.Tensor[]) => {
      this.pendingInputs = tensors;
      const ids = this.originalInputIds.call(b, tensors);
      const sh = this.shadow;
      if (sh) for (let i = 0; i < ids.length; i++) if (ids[i]! <= FAKE_BASE && !sh.infos.has(ids[i]!)) sh.infos.set(ids[i]!, b.tensorMap.get(tensors[i]!.dataId)!);
      return ids;
    };
    b.createOutputTensor = (meta: TensorMeta) => {
      const t = this.originalOutput.call(b, meta);
      if (meta.id <= FAKE_BASE && this.shadow) {
        this.shadow.infos.set(meta.id, b.tensorMap.get(t.dataId)!);
        this.shadow.dataIds.set(meta.id, t.dataId);
      } else this.rec?.infos.set(meta.id, b.tensorMap.get(t.dataId)!);
      return t;
    };
    b.disposeData = (dataId: object, force?: boolean) => {
      const id = b.tensorMap.get(dataId)?.id;
      const r = this.originalDispose.call(b, dataId, force);
      if (id !== undefined && id <= FAKE_BASE && !b.tensorMap.has(dataId)) this.shadow?.dead.add(id);
      return r;
    };
  }

  private uninstall(): void {
    const b = this.backend as NodeBackendLike & { getInputTensorIds: unknown };
    b.binding = this.original;
    delete (b as Partial<typeof b>).getInputTensorIds;
    delete (b as Partial<typeof b>).createOutputTensor;
    delete (b as Partial<typeof b>).disposeData;
    this.pendingInputs = undefined;
  }

  private createTensor(shape: number[], dtype: number, values: ArrayBufferView): number {
    const sh = this.shadow;
    if (!sh) return this.recCreate(shape, dtype, values);
    const i = sh.consts.length;
    const vals = values as unknown as ArrayLike<number>;
    const fake = this.nextFake--;
    if (sh.host) sh.constItem[i] = sh.host.byValues.get(values);
    sh.consts.push({ fake, shape, dtype, values: vals });
    sh.events.push({ kind: 'const', fake, shape, dtype, values: vals });
    sh.fakeSrc.set(fake, { k: 'const', i });
    sh.candidates = sh.candidates.filter((t) => {
      const c = t.consts[i];
      if (!c || c.dtype !== dtype || !sameShape(c.shape, shape)) return false;
      if (!c.fed && !sameValues(c.values!, vals)) {
        let d = sh.differs.get(t);
        if (!d) sh.differs.set(t, (d = new Set()));
        d.add(i);
      }
      return true;
    });
    return fake;
  }

  private executeOp(name: string, attrs: readonly OpAttr[], ids: number[], numOutputs: number): TensorMeta[] {
    const sh = this.shadow;
    const inputs = this.pendingInputs;
    this.pendingInputs = undefined;
    const extInfo = (i: number): ExtInfo | undefined => {
      const t = inputs?.[i];
      return t ? { shape: t.shape.slice(), dtype: this.backend.tensorMap.get(t.dataId)?.dtype ?? 0 } : undefined;
    };
    if (!sh) return this.recExecute(name, attrs, ids, numOutputs, extInfo);
    const k = sh.ops;
    const srcs: Src[] = [];
    let newExt: { id: number; slot: number; tensor?: tf.Tensor }[] | undefined;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const s = sh.fakeSrc.get(id);
      if (s) srcs.push(s);
      else {
        let slot = sh.extSlot.get(id);
        if (slot === undefined) {
          slot = sh.extIds.length + (newExt?.length ?? 0);
          (newExt ??= []).push({ id, slot, tensor: inputs?.[i] });
        }
        srcs.push({ k: 'ext', slot });
      }
    }
    sh.candidates = sh.candidates.filter((t) => {
      const node = t.nodes[k];
      if (!node || node.op !== name || node.outputs.length !== numOutputs || node.inputs.length !== srcs.length || !sameAttrs(node.attrs, attrs)) return false;
      for (let i = 0; i < srcs.length; i++) if (!sameSrc(node.inputs[i]!, srcs[i]!)) return false;
      for (const e of newExt ?? []) {
        const ext = t.externals[e.slot];
        if (!ext || !e.tensor || !sameShape(ext.shape, e.tensor.shape) || ext.dtype !== this.backend.tensorMap.get(e.tensor.dataId)?.dtype) return false;
      }
      return true;
    });
    if (!sh.candidates.length) {
      const real = this.flush();
      return this.recExecute(
        name,
        attrs,
        ids.map((id) => real.get(id) ?? id),
        numOutputs,
        extInfo,
      );
    }
    for (const e of newExt ?? []) {
      sh.extSlot.set(e.id, e.slot);
      sh.extIds.push(e.id);
      if (e.tensor) sh.dataIds.set(e.id, e.tensor.dataId);
      sh.extInfo.set(e.id, sh.candidates[0]!.externals[e.slot]!);
    }
    const node = sh.candidates[0]!.nodes[k]!;
    const fakes = node.outputs.map((_, o) => {
      const f = this.nextFake--;
      sh.fakeSrc.set(f, { k: 'node', n: k, o });
      return f;
    });
    sh.nodeFakes.push(fakes);
    sh.events.push({ kind: 'op', name, attrs, ids: ids.slice(), numOutputs, fakes });
    sh.ops += 1;
    return node.outputs.map((out, o) => ({ id: fakes[o]!, shape: out.shape.slice(), dtype: out.dtype }));
  }

  private tensorDataSync(id: number): ArrayBufferView {
    const sh = this.shadow;
    if (sh && id <= FAKE_BASE) {
      const s = sh.fakeSrc.get(id);
      if (s?.k === 'const') return sh.consts[s.i]!.values as unknown as ArrayBufferView;
      // A value the step computes is needed on the host: run what the step did so far, then read it.
      const real = this.flush();
      return this.recDataSync(real.get(id) ?? id);
    }
    return this.recDataSync(id);
  }

  private deleteTensor(id: number): void {
    const sh = this.shadow;
    if (sh) {
      // A tensor from before the step (a parameter's old value): the function still reads it.
      if (id > FAKE_BASE) sh.pendingDeletes.push(id);
      return;
    }
    const rec = this.rec;
    if (rec && !rec.live.delete(id)) return void rec.pendingDeletes.push(id);
    this.original.deleteTensor(id);
  }

  // ---- recording (eager) ----------------------------------------------------------------------

  private beginRecording(): void {
    this.rec = {
      trace: { id: this.nextTrace++, nodes: [], consts: [], externals: [], outputs: [], version: 0, packed: [] },
      idSrc: new Map(),
      extSlot: new Map(),
      live: new Map(),
      constIds: [],
      scalars: [],
      infos: new Map(),
      pendingDeletes: [],
    };
  }

  private recCreate(shape: number[], dtype: number, values: ArrayBufferView): number {
    const id = this.original.createTensor(shape, dtype, values);
    const rec = this.rec;
    if (rec) {
      const vals = values as unknown as ArrayLike<number>;
      const i = rec.trace.consts.length;
      const small = (dtype !== this.original.TF_FLOAT && vals.length <= BAKE_LIMIT) || (vals.length > 1 && uniform(vals));
      if (dtype !== this.original.TF_FLOAT && dtype !== this.original.TF_INT32 && dtype !== this.original.TF_BOOL)
        rec.trace.problem ??= `a host-made tensor of TensorFlow dtype ${dtype}`;
      rec.trace.consts.push({ shape: shape.slice(), dtype, fed: !small, ...(small ? { values: copyValues(vals) } : {}) });
      rec.idSrc.set(id, { k: 'const', i });
      rec.constIds.push(id);
      rec.scalars.push(vals.length === 1 ? vals[0]! : NaN);
    }
    return id;
  }

  private recExecute(name: string, attrs: readonly OpAttr[], ids: number[], numOutputs: number, extInfo: (i: number, id: number) => ExtInfo | undefined): TensorMeta[] {
    const metas = this.original.executeOp(name, attrs, ids, numOutputs);
    const rec = this.rec;
    if (!rec) return metas;
    const t = rec.trace;
    const srcs = ids.map((id, i): Src => {
      const s = rec.idSrc.get(id);
      if (s) return s;
      let slot = rec.extSlot.get(id);
      if (slot === undefined) {
        const info = extInfo(i, id);
        if (!info) t.problem ??= `op ${name} was called with tensor ids only (no shapes known)`;
        slot = t.externals.length;
        rec.extSlot.set(id, slot);
        t.externals.push(info ?? { shape: [], dtype: 0 });
      }
      return { k: 'ext', slot };
    });
    const n = t.nodes.length;
    if (numOutputs === 0) t.problem ??= `op ${name} has no outputs (a side effect)`;
    t.nodes.push({ op: name, attrs: attrs.map((a) => ({ ...a })), inputs: srcs, outputs: metas.map((m) => ({ shape: m.shape.slice(), dtype: m.dtype })) });
    metas.forEach((m, o) => {
      rec.idSrc.set(m.id, { k: 'node', n, o });
      rec.live.set(m.id, { n, o });
    });
    return metas;
  }

  private recDataSync(id: number): ArrayBufferView {
    const rec = this.rec;
    const s = rec?.idSrc.get(id);
    if (rec && s?.k === 'node')
      rec.trace.problem ??= `the step reads a computed value on the host (the output of ${rec.trace.nodes[s.n]!.op}, e.g. dataSync or a kernel that checks values)`;
    return this.original.tensorDataSync(id);
  }

  private endRecording(complete: boolean): void {
    const rec = this.rec;
    this.rec = undefined;
    if (!rec) return;
    const release = () => {
      for (const id of rec.pendingDeletes) this.original.deleteTensor(id);
    };
    if (!complete) return release();
    const t = rec.trace;
    t.outputs = [...rec.live.values()];
    this.stats.recorded += 1;
    if (!t.nodes.length) return release();
    if (t.problem) {
      release();
      return this.disable(t.problem);
    }
    let kept = this.traces.find((u) => sameStructure(u, t));
    if (kept) {
      // The same ops with other constants: those become inputs.
      let changed = false;
      kept.consts.forEach((c, i) => {
        const other = t.consts[i]!.values;
        if (!c.fed && (!other || !sameValues(c.values!, other))) {
          c.fed = true;
          delete c.values;
          changed = true;
        }
      });
      if (changed) this.drop(kept);
    } else if (this.traces.length >= MAX_TRACES) {
      release();
      return this.disable(`the step's ops change from step to step (more than ${MAX_TRACES} different traces)`);
    } else {
      this.traces.push((kept = t));
    }
    const problem = kept.fn ? undefined : this.define(kept);
    if (problem) {
      release();
      return this.disable(problem);
    }
    // The recorded step's results are replaced by its function's, from the same inputs: every step's
    // numbers come from the function, so a run resumed from a checkpoint repeats an uninterrupted one.
    const { ids: fed, temporary } = this.fedInputs(
      kept,
      (i) => rec.constIds[i]!,
      (i) => rec.scalars[i]!,
    );
    const outIds = this.call(kept.fn!, [...rec.extSlot.keys(), ...fed], kept.outputs.length);
    for (const id of temporary) this.original.deleteTensor(id);
    const eagerId = new Map<string, number>();
    for (const [id, { n, o }] of rec.live) eagerId.set(`${n}:${o}`, id);
    kept.outputs.forEach(({ n, o }, p) => {
      const old = eagerId.get(`${n}:${o}`)!;
      const info = rec.infos.get(old);
      if (info) info.id = outIds[p]!;
      this.original.deleteTensor(info ? old : outIds[p]!);
    });
    release();
  }

  /**
   * Runs a registered function: queued without waiting where the binding can (its outputs are ready
   * when read or used by an eager op, and the next step's JavaScript runs meanwhile), else at once.
   */
  private call(fn: string, inputIds: number[], numOutputs: number): number[] {
    if (this.original.callFunction && this.queued && ASYNC_CALLS) return this.original.callFunction(fn, inputIds, numOutputs);
    return this.original.executeOp(fn, [], inputIds, numOutputs).map((m) => m.id);
  }

  private disable(reason: string): void {
    this.disabledReason = reason;
    this.log(`compiled steps: falling back to eager steps — ${reason}`);
    this.dispose();
  }

  private drop(t: Trace): void {
    if (t.fn) this.original.removeFunction?.(t.fn);
    t.fn = undefined;
  }

  // ---- shadow steps -----------------------------------------------------------------------------

  private beginShadow(candidates: Trace[], host: HostLog | undefined): void {
    this.shadow = {
      host,
      constItem: [],
      dataIds: new Map(),
      candidates,
      ops: 0,
      consts: [],
      extIds: [],
      extSlot: new Map(),
      extInfo: new Map(),
      fakeSrc: new Map(),
      nodeFakes: [],
      events: [],
      differs: new Map(),
      pendingDeletes: [],
      infos: new Map(),
      dead: new Set(),
    };
  }

  /**
   * The shadowed step left every trace (or needs a computed value now): executes what it did so far
   * eagerly, recording it as a new trace, gives the placeholders their real tensors, and goes on
   * recording eagerly.
   */
  private flush(): Map<number, number> {
    const sh = this.shadow!;
    this.shadow = undefined;
    this.beginRecording();
    const real = new Map<number, number>();
    for (const ev of sh.events) {
      if (ev.kind === 'const') {
        real.set(ev.fake, this.recCreate(ev.shape, ev.dtype, ev.values as unknown as ArrayBufferView));
        continue;
      }
      const ids = ev.ids.map((id) => real.get(id) ?? id);
      const metas = this.recExecute(ev.name, ev.attrs, ids, ev.numOutputs, (_, id) => sh.extInfo.get(id));
      ev.fakes.forEach((f, j) => real.set(f, metas[j]!.id));
    }
    const rec = this.rec!;
    for (const [fake, id] of real) {
      if (sh.dead.has(fake)) this.deleteTensor(id);
      else {
        const info = sh.infos.get(fake);
        if (info) {
          info.id = id;
          rec.infos.set(id, info);
        }
      }
    }
    rec.pendingDeletes.push(...sh.pendingDeletes);
    return real;
  }

  private finishShadow(scriptMs: number, step: { result: unknown; tensorsAtStart: number }): void {
    const sh = this.shadow!;
    const previous = this.settled;
    this.settled = undefined;
    const t = sh.candidates.find((c) => c.nodes.length === sh.ops && c.consts.length === sh.consts.length);
    if (!t) return void this.flush();
    const position = new Map<number, number>();
    t.outputs.forEach(({ n, o }, p) => position.set(sh.nodeFakes[n]![o]!, p));
    for (const fake of sh.infos.keys()) if (!sh.dead.has(fake) && sh.fakeSrc.get(fake)?.k === 'node' && !position.has(fake)) return void this.flush();
    const differs = sh.differs.get(t);
    if (differs?.size) {
      for (const i of differs) {
        t.consts[i]!.fed = true;
        delete t.consts[i]!.values;
      }
      this.drop(t);
    }
    if (!t.fn) {
      const problem = this.define(t);
      if (problem) {
        this.flush();
        this.rec!.trace.problem = problem;
        return;
      }
    }
    this.shadow = undefined;
    const fedOf = new Map<number, number>();
    const { ids: fedIds, temporary } = this.fedInputs(
      t,
      (i) => {
        const k = sh.consts[i]!;
        const id = this.original.createTensor(k.shape, k.dtype, k.values as unknown as ArrayBufferView);
        fedOf.set(k.fake, id);
        return id;
      },
      (i) => sh.consts[i]!.values[0]!,
    );
    const called = performance.now();
    const outIds = this.call(t.fn!, [...sh.extIds, ...fedIds], t.outputs.length);
    this.stats.callMs += performance.now() - called;
    this.stats.scriptMs += scriptMs;
    for (const id of temporary) this.original.deleteTensor(id);
    for (const [fake, p] of position) {
      const info = sh.infos.get(fake);
      if (info && !sh.dead.has(fake)) info.id = outIds[p]!;
      else this.original.deleteTensor(outIds[p]!);
    }
    let keepsHostTensor = false;
    for (const k of sh.consts) {
      const info = sh.infos.get(k.fake);
      const fed = fedOf.get(k.fake);
      if (info && !sh.dead.has(k.fake)) {
        info.id = fed ?? this.original.createTensor(k.shape, k.dtype, k.values as unknown as ArrayBufferView);
        keepsHostTensor = true;
      } else if (fed !== undefined) this.original.deleteTensor(fed);
    }
    for (const id of sh.pendingDeletes) this.original.deleteTensor(id);
    this.stats.compiled += 1;
    if (!sh.host) return;
    const outInfos: ({ id: number } | undefined)[] = [];
    const outData: (object | undefined)[] = [];
    for (const [fake, p] of position)
      if (!sh.dead.has(fake)) {
        outInfos[p] = sh.infos.get(fake);
        outData[p] = sh.dataIds.get(fake);
      }
    const settled: Settled = {
      trace: t,
      extIds: sh.extIds,
      outIds,
      outInfos,
      outData,
      extData: sh.extIds.map((id) => sh.dataIds.get(id)),
      // Copied where no maker makes them: compared with the next step's, they must not be a buffer refilled in place.
      constValues: sh.consts.map((k, i) => (t.consts[i]!.fed && sh.constItem[i] === undefined ? copyValues(k.values) : k.values)),
      replayed: false,
      result: step.result,
      host: sh.host,
      constItem: sh.constItem,
      tensorsAtStart: step.tensorsAtStart,
    };
    this.settled = settled;
    const replay = keepsHostTensor ? 'the step keeps a host-made tensor' : this.prepareReplay(previous, settled);
    this.replayProblem = typeof replay === 'string' ? replay : undefined;
    if (typeof replay !== 'string') this.replay = replay;
    if (!this.toldReplay && (typeof replay !== 'string' || previous?.trace === t)) {
      this.toldReplay = true;
      this.log(
        typeof replay === 'string'
          ? `compiled steps: each step still runs its JavaScript — ${replay}`
          : 'compiled steps: steps now run without their JavaScript (their host work is declared: the batch, seeded draws, optimiser state)',
      );
    }
  }

  /**
   * Whether the steps after `last` can run without their code, from it and the step before: its
   * host work all declared, each input the previous step's output or the same tensor both times,
   * each kept output replacing the previous step's, and what the step returned among them.
   */
  private prepareReplay(prev: Settled | undefined, last: Settled): Replay | string {
    if (this.replayOff) return this.replayOff;
    if (!prev || prev.trace !== last.trace) return 'not yet two compiled steps of one function';
    const items = last.host!.items;
    const blocked = items.find((i): i is { blocked: string } => 'blocked' in i);
    if (blocked) return blocked.blocked;
    const describe = (log: HostLog) => log.items.map((i) => ('make' in i ? `make ${i.made ?? ''}` : 'effect')).join('; ');
    if (describe(last.host!) !== describe(prev.host!)) return this.changed(prev, "its host work (a draw's shape or parameters)");
    const fedItem = new Map<number, number>();
    const assumed = new Map<number, ArrayLike<number>>();
    for (const [i, c] of last.trace.consts.entries()) {
      if (!c.fed) continue;
      const item = last.constItem[i];
      if (item !== undefined) fedItem.set(i, item);
      else if (sameValues(last.constValues[i]!, prev.constValues[i]!)) assumed.set(i, last.constValues[i]!);
      else return this.changed(prev, `a host-made tensor of shape [${c.shape.join(', ')}], not made through hostTensor,`);
    }
    const kept: Replay['kept'] = [];
    last.outInfos.forEach((info, p) => {
      if (info && last.outData[p]) kept.push({ p, info, data: last.outData[p]!, before: prev.outData[p] });
    });
    const keptAt = new Map(kept.map((k) => [k.p, k.info]));
    const outAt = new Map(prev.outIds.map((id, p) => [id, p]));
    const inputs: Replay['inputs'] = [];
    for (const [j, id] of last.extIds.entries()) {
      const p = outAt.get(id);
      if (p !== undefined && keptAt.has(p)) inputs.push({ out: p });
      else if (p === undefined && prev.extIds[j] === id && last.extData[j]) inputs.push({ fixed: id, data: last.extData[j]! });
      else return 'an input of the step is a different tensor from step to step';
    }
    const keptData = new Set(kept.map((k) => k.data));
    if (!tf.tensor_util.getTensorsInContainer(last.result as tf.TensorContainer).every((r) => keptData.has(r.dataId)))
      return 'the step returns a tensor that is not one of its outputs';
    return { last, inputs, kept, keptAt, items, fedItem, assumed };
  }

  /**
   * What changed between two steps makes the steps run their code from now on; when steps ran
   * without it since the earlier one, they took the old value, which is logged as a warning.
   */
  private changed(prev: Settled, what: string): string {
    const problem = `${what} changes from step to step`;
    if (prev.replayed)
      this.log(`compiled steps: warning — ${problem}; the steps since the last check ran without their JavaScript with its earlier value; they run it from now on`);
    return (this.replayOff ??= problem);
  }

  /**
   * Whether the tensors the replay reads and updates are as it left them: the kept outputs alive and
   * the previous step's released, the same inputs in place, no tensors gained or lost in between.
   */
  private replayReady(): boolean {
    const r = this.replay!;
    const map = this.backend.tensorMap;
    if (tf.engine().state.numTensors !== r.last.tensorsAtStart) return false;
    // The previous step's outputs, once released, stay released: checked before the first replay only.
    for (const k of r.kept) if (!map.has(k.data) || (!r.last.replayed && k.before && map.has(k.before))) return false;
    for (const i of r.inputs) if ('fixed' in i && map.get(i.data)?.id !== i.fixed) return false;
    return true;
  }

  /** One step without its code: its host items repeated in order, the function called, the kept outputs updated in place. */
  private replayStep(plan: StepPlan): unknown {
    const started = performance.now();
    const r = this.replay!;
    const t = r.last.trace;
    // Every item runs, in its order (a maker may read what an effect before it changed).
    const made = new Map<number, tf.Tensor>();
    r.items.forEach((item, k) => {
      if ('effect' in item) item.effect();
      else if ('make' in item) made.set(k, item.make(plan));
    });
    const valuesOf = (i: number) => (r.assumed.get(i) ?? this.backend.tensorMap.get(made.get(r.fedItem.get(i)!)!.dataId)!.values) as ArrayBufferView;
    const created: number[] = [];
    const { ids: fed, temporary } = this.fedInputs(
      t,
      (i) => {
        const id = this.original.createTensor(t.consts[i]!.shape, t.consts[i]!.dtype, valuesOf(i));
        created.push(id);
        return id;
      },
      (i) => (valuesOf(i) as unknown as ArrayLike<number>)[0]!,
    );
    const inputs = r.inputs.map((i) => ('out' in i ? r.keptAt.get(i.out)!.id : i.fixed));
    const called = performance.now();
    const outIds = this.call(t.fn!, [...inputs, ...fed], t.outputs.length);
    const returned = performance.now();
    this.stats.replayCallMs += returned - called;
    for (const id of [...created, ...temporary]) this.original.deleteTensor(id);
    for (const m of made.values()) m.dispose();
    outIds.forEach((id, p) => {
      const info = r.keptAt.get(p);
      if (!info) return this.original.deleteTensor(id);
      this.original.deleteTensor(info.id);
      info.id = id;
    });
    r.last.extIds = inputs;
    r.last.outIds = outIds;
    r.last.replayed = true;
    this.stats.replayed += 1;
    this.stats.replayHostMs += called - started + (performance.now() - returned);
    return r.last.result;
  }

  /**
   * The function's inputs after the tensors from before the step: each fed host-made tensor (`idOf`),
   * then the fed scalars as one vector made here (`scalarOf`), which the caller deletes after the call.
   */
  private fedInputs(t: Trace, idOf: (i: number) => number, scalarOf: (i: number) => number): { ids: number[]; temporary: number[] } {
    const packed = new Set(t.packed);
    const ids: number[] = [];
    t.consts.forEach((c, i) => {
      if (c.fed && !packed.has(i)) ids.push(idOf(i));
    });
    if (!t.packed.length) return { ids, temporary: [] };
    const vector = this.original.createTensor([t.packed.length], this.original.TF_FLOAT, Float32Array.from(t.packed, scalarOf));
    return { ids: [...ids, vector], temporary: [vector] };
  }

  /** Registers the trace as a function; returns why it cannot be one. */
  private define(t: Trace): string | undefined {
    const spec: FunctionSpec = { inputs: [], nodes: [], outputs: [] };
    const E = t.externals.length;
    for (const e of t.externals) spec.inputs.push({ dtype: e.dtype, shape: e.shape });
    const constRef: number[] = [];
    t.packed = t.consts.flatMap((c, i) => (c.fed && c.dtype === this.original.TF_FLOAT && c.shape.length === 0 ? [i] : []));
    const packed = new Set(t.packed);
    t.consts.forEach((c, i) => {
      if (c.fed && !packed.has(i)) {
        constRef[i] = spec.inputs.length;
        spec.inputs.push({ dtype: c.dtype, shape: c.shape });
      }
    });
    let ref = spec.inputs.length;
    if (t.packed.length) {
      // The scalars arrive as one vector (one tensor to make per step, not one each).
      const vector = ref;
      spec.inputs.push({ dtype: this.original.TF_FLOAT, shape: [t.packed.length] });
      ref += 1;
      spec.nodes.push({
        op: 'Unpack',
        inputs: [vector],
        attrs: [
          { name: 'num', type: this.original.TF_ATTR_INT, value: t.packed.length },
          { name: 'axis', type: this.original.TF_ATTR_INT, value: 0 },
          { name: 'T', type: this.original.TF_ATTR_TYPE, value: this.original.TF_FLOAT },
        ],
        numOutputs: t.packed.length,
      });
      t.packed.forEach((i, j) => (constRef[i] = ref + j));
      ref += t.packed.length;
    }
    t.consts.forEach((c, i) => {
      if (c.fed) return;
      const data = c.dtype === this.original.TF_FLOAT ? Float32Array.from(c.values!) : c.dtype === this.original.TF_INT32 ? Int32Array.from(c.values!) : Uint8Array.from(c.values!);
      spec.nodes.push({
        op: 'Const',
        inputs: [],
        attrs: [{ name: 'dtype', type: this.original.TF_ATTR_TYPE, value: c.dtype }],
        numOutputs: 1,
        value: { dtype: c.dtype, shape: c.shape, data },
      });
      constRef[i] = ref++;
    });
    const nodeRef: number[] = [];
    const refOf = (s: Src): number => (s.k === 'ext' ? s.slot : s.k === 'const' ? constRef[s.i]! : nodeRef[s.n]! + s.o);
    const shapeOf = (s: Src): number[] => (s.k === 'ext' ? t.externals[s.slot]!.shape : s.k === 'const' ? t.consts[s.i]!.shape : t.nodes[s.n]!.outputs[s.o]!.shape);
    const emit = (op: string, inputs: (number | number[])[], attrs: readonly OpAttr[], numOutputs = 1): number => {
      spec.nodes.push({ op, inputs, attrs, numOutputs });
      ref += numOutputs;
      return ref - numOutputs;
    };
    for (const node of t.nodes) {
      const expanded = expandComposite(node.op, node.inputs.map(refOf), emit, this.original);
      if (expanded) {
        // A composite op's own ops, then its outputs side by side, as the recorded op's are.
        nodeRef.push(ref);
        expanded.forEach((o, i) => emit('Identity', [o], [{ name: 'T', type: this.original.TF_ATTR_TYPE, value: node.outputs[i]!.dtype }]));
        continue;
      }
      const grouped = groupInputs(node.op, node.attrs, node.inputs.map(refOf));
      if (typeof grouped === 'string') return grouped;
      nodeRef.push(ref);
      spec.nodes.push({ ...graphForm(node, node.inputs.map(shapeOf), this.original), inputs: grouped, numOutputs: node.outputs.length });
      ref += node.outputs.length;
    }
    spec.outputs = t.outputs.map(({ n, o }) => nodeRef[n]! + o);
    t.version += 1;
    const name = `elbo_step_${this.uid}_${t.id}_${t.version}`;
    try {
      this.original.defineFunction!(name, spec, this.mode === 'xla');
    } catch (e) {
      return `the step cannot be a TensorFlow function: ${(e as Error).message.split('\n')[0]}`;
    }
    t.fn = name;
    this.stats.functions += 1;
    if (this.stats.functions === 1)
      this.log(
        `compiled steps (${this.mode}): a step runs as one TensorFlow function of ${t.nodes.length} ops, ${spec.inputs.length} inputs (${E} tensors from before the step, ${spec.inputs.length - E} made on the host) and ${t.outputs.length} outputs`,
      );
    return undefined;
  }
}

/**
 * The op as the function holds it: TensorFlow.js's matrix product of two matrices (BatchMatMulV2) as
 * MatMul, and a bias added along the last axis as BiasAdd — the same arithmetic, in the forms
 * Grappler's remapper fuses (MatMul + BiasAdd + Relu into one kernel).
 */
function graphForm(node: TraceNode, shapes: number[][], b: NativeBinding): { op: string; attrs: readonly OpAttr[] } {
  const attr = (name: string) => node.attrs.find((a) => a.name === name)?.value;
  if (node.op === 'BatchMatMulV2' && shapes.length === 2 && shapes[0]!.length === 2 && shapes[1]!.length === 2)
    return {
      op: 'MatMul',
      attrs: [
        { name: 'transpose_a', type: b.TF_ATTR_BOOL, value: !!attr('adj_x') },
        { name: 'transpose_b', type: b.TF_ATTR_BOOL, value: !!attr('adj_y') },
        { name: 'T', type: b.TF_ATTR_TYPE, value: attr('T') },
      ],
    };
  if ((node.op === 'Add' || node.op === 'AddV2') && shapes.length === 2) {
    const [x, y] = shapes as [number[], number[]];
    if (x.length >= 2 && y.length === 1 && y[0] === x[x.length - 1] && sameShape(node.outputs[0]!.shape, x))
      return {
        op: 'BiasAdd',
        attrs: [
          { name: 'T', type: b.TF_ATTR_TYPE, value: attr('T') },
          { name: 'data_format', type: b.TF_ATTR_STRING, value: 'NHWC' },
        ],
      };
  }
  return { op: node.op, attrs: node.attrs };
}

function sameStructure(a: Trace, b: Trace): boolean {
  if (a.nodes.length !== b.nodes.length || a.consts.length !== b.consts.length || a.externals.length !== b.externals.length || a.outputs.length !== b.outputs.length) return false;
  for (let i = 0; i < a.consts.length; i++) if (a.consts[i]!.dtype !== b.consts[i]!.dtype || !sameShape(a.consts[i]!.shape, b.consts[i]!.shape)) return false;
  for (let i = 0; i < a.externals.length; i++) if (a.externals[i]!.dtype !== b.externals[i]!.dtype || !sameShape(a.externals[i]!.shape, b.externals[i]!.shape)) return false;
  for (let i = 0; i < a.outputs.length; i++) if (a.outputs[i]!.n !== b.outputs[i]!.n || a.outputs[i]!.o !== b.outputs[i]!.o) return false;
  for (let n = 0; n < a.nodes.length; n++) {
    const x = a.nodes[n]!;
    const y = b.nodes[n]!;
    if (x.op !== y.op || x.inputs.length !== y.inputs.length || x.outputs.length !== y.outputs.length || !sameAttrs(x.attrs, y.attrs)) return false;
    for (let i = 0; i < x.inputs.length; i++) if (!sameSrc(x.inputs[i]!, y.inputs[i]!)) return false;
  }
  return true;
}
