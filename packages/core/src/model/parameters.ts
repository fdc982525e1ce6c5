import * as tf from '@tensorflow/tfjs-core';

/**
 * Something that owns trainable tensors. Parameter names are stable, slash-separated paths
 * (`encoder/hidden0/kernel`) used by checkpoints and saved models; they never depend on
 * TensorFlow.js's process-global variable naming.
 */
export interface HasParameters {
  parameters(): ReadonlyMap<string, tf.Variable>;
}

/**
 * A named set of variables that components build their layers into. `scope(name)` gives a child
 * whose names are prefixed `name/`; a child lists only its own variables, and a name can be
 * defined only once across the whole tree.
 */
export class ParameterStore implements HasParameters {
  private readonly own = new Map<string, tf.Variable>();

  constructor(
    readonly prefix = '',
    private readonly all: Set<string> = new Set(),
    private readonly children: ParameterStore[] = [],
  ) {}

  /** Creates (and takes ownership of) a trainable variable under `prefix/name`. */
  create(name: string, initial: tf.Tensor, trainable = true): tf.Variable {
    const full = this.prefix ? `${this.prefix}/${name}` : name;
    if (this.all.has(full)) throw new Error(`parameter "${full}" is defined twice`);
    const v = tf.variable(initial, trainable);
    initial.dispose();
    this.all.add(full);
    this.own.set(full, v);
    return v;
  }

  /** A child store whose names are prefixed with `name/`. */
  scope(name: string): ParameterStore {
    const child = new ParameterStore(this.prefix ? `${this.prefix}/${name}` : name, this.all);
    this.children.push(child);
    return child;
  }

  /** This store's variables and those of its scopes. */
  parameters(): ReadonlyMap<string, tf.Variable> {
    if (!this.children.length) return this.own;
    const out = new Map(this.own);
    for (const c of this.children) for (const [k, v] of c.parameters()) out.set(k, v);
    return out;
  }

  dispose(): void {
    for (const v of this.parameters().values()) v.dispose();
  }
}

export const NO_PARAMETERS: ReadonlyMap<string, tf.Variable> = new Map();

/** Merges the parameters of several components, failing on a duplicate name. */
export function collectParameters(...owners: HasParameters[]): Map<string, tf.Variable> {
  const out = new Map<string, tf.Variable>();
  for (const o of owners) {
    for (const [k, v] of o.parameters()) {
      if (out.has(k)) throw new Error(`two components define parameter "${k}"`);
      out.set(k, v);
    }
  }
  return out;
}

/** Total number of scalar parameters. */
export function countParameters(params: ReadonlyMap<string, tf.Variable>): number {
  let n = 0;
  for (const v of params.values()) n += v.size;
  return n;
}
