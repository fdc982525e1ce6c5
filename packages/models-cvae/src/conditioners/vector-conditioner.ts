import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ConfigError, NO_PARAMETERS, defineComponent, type ConditionInput, type Conditioner, type DataSplit } from '@elbo/core';

/** c = the dataset's condition vector (attributes, tabular covariates), used as given. */
export class VectorConditioner implements Conditioner {
  constructor(readonly dim: number) {}

  parameters() {
    return NO_PARAMETERS;
  }

  read(split: DataSplit, indices: ArrayLike<number>): ConditionInput {
    if (!split.conditions) throw new ConfigError('model.condition: condition/vector needs a dataset with condition vectors');
    const out = new Float32Array(indices.length * this.dim);
    split.conditions.read(indices, out);
    return { vectors: out };
  }

  encode(input: ConditionInput): tf.Tensor2D {
    const v = input.vectors!;
    return tf.tensor2d(v, [v.length / this.dim, this.dim]);
  }

  /** One comma-separated vector of `dim` numbers for all n examples, or n of them. */
  parse(values: readonly string[], n: number, source: string): ConditionInput {
    if (values.length !== 1 && values.length !== n) throw new ConfigError(`${source}: expected 1 or ${n} condition vectors, got ${values.length}`);
    const rows = values.map((v) => {
      const parts = v.split(',').map((s) => s.trim());
      if (parts.length !== this.dim)
        throw new ConfigError(`${source}: expected a condition vector of ${this.dim} comma-separated numbers, got ${parts.length} in ${JSON.stringify(v)}`);
      return parts.map((p) => {
        const x = Number(p);
        if (p === '' || !Number.isFinite(x)) throw new ConfigError(`${source}: expected a number, got ${JSON.stringify(p)} in ${JSON.stringify(v)}`);
        return x;
      });
    });
    const out = new Float32Array(n * this.dim);
    for (let i = 0; i < n; i++) out.set(rows[values.length === 1 ? 0 : i]!, i * this.dim);
    return { vectors: out };
  }
}

export const vectorConditioner = defineComponent({
  kind: 'condition',
  name: 'vector',
  summary: "The dataset's condition vectors (attributes), used as given",
  options: z.object({}).strict(),
  create: (_o, ctx) => {
    const c = ctx.dataset?.train.conditions;
    if (!c) throw new ConfigError(`model.condition: condition/vector needs a dataset with condition vectors; "${ctx.dataset?.name}" has none`);
    return new VectorConditioner(c.dim);
  },
});
