import { optionsBlock, q, type ComponentTemplate, type OptionTemplate } from './component-template.js';

const hiddenOptions: readonly OptionTemplate[] = [
  { name: 'hidden', zod: 'opt.positiveInt().default(256)', type: 'positive integer', default: '256', description: 'width of the hidden layer' },
  { name: 'activation', zod: "activationOption().default('relu')", type: 'activation', default: '"relu"', description: 'activation of the hidden layer' },
];

/** `encoder`: one hidden layer to (μ, log σ²), built from @elbo/compute's dense layers. */
export const encoderTemplate: ComponentTemplate = {
  kind: 'encoder',
  summary: () => 'One-hidden-layer encoder: x → dense → (μ, log σ²)',
  about: () =>
    'q(z|x) = N(μ(x), diag σ²(x)) from one hidden layer: x (and the condition c, when the model is conditional) → a dense layer → a linear head of width 2L split into μ and log σ² (the Gaussian MLP encoder of Kingma & Welling 2014, appendix C.2). Its weights live in the run’s `ParameterStore`, so checkpoints and saved models hold them.',
  options: hiddenOptions,
  usesLayers: true,
  madeType: 'Encoder',
  specCoreImports: [],
  specImports: [],
  source: (n) => `import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { DiagonalGaussian, activationOption, defineComponent, opt, type Condition, type Encoder, type ParameterStore, type RandomStream } from '@elbo/core';
import { DenseLayer, type Activation } from '@elbo/compute';

${optionsBlock(n, hiddenOptions)}

/**
 * q(z|x[, c]) = N(μ, diag σ²) from one hidden layer: x (and c, concatenated, when conditional) →
 * dense(hidden, activation) → a linear head of width 2L, split into μ and log σ²
 * (Kingma & Welling 2014, appendix C.2).
 */
export class ${n.className} implements Encoder {
  private readonly hidden: DenseLayer;
  private readonly head: DenseLayer;

  constructor(
    private readonly store: ParameterStore,
    inDim: number,
    latentDim: number,
    width: number,
    activation: Activation,
    init: RandomStream,
  ) {
    this.hidden = new DenseLayer(store, 'hidden', inDim, width, activation, init);
    this.head = new DenseLayer(store, 'head', width, 2 * latentDim, 'linear', init);
  }

  parameters() {
    return this.store.parameters();
  }

  encode(x: tf.Tensor2D, c?: Condition): DiagonalGaussian {
    const input = c ? tf.concat([x, c], 1) : x;
    return DiagonalGaussian.fromParams(this.head.apply(this.hidden.apply(input)));
  }
}

export const ${n.descriptor} = defineComponent({
  kind: 'encoder',
  name: ${q(n.component)},
  summary: ${q(encoderTemplate.summary(n))},
  options: ${n.camel}Options,
  create: (o, ctx) => {
    const s = ctx.shape!;
    return new ${n.className}(ctx.params, s.dataDim + s.conditionDim, s.latentDim, o.hidden, o.activation, ctx.rng.stream('init/encoder'));
  },
});
`,
  specExercise: () => `    const q = tf.tidy(() => {
      const posterior = made.encode(tf.randomUniform([5, shape.dataDim], 0, 1, 'float32', 7) as tf.Tensor2D);
      return { mean: tf.clone(posterior.mean), logVar: tf.clone(posterior.logVar) };
    });
    expect(q.mean.shape).toEqual([5, shape.latentDim]);
    expect(q.logVar.shape).toEqual([5, shape.latentDim]);
    expect([...(await q.mean.data()), ...(await q.logVar.data())].every(Number.isFinite)).toBe(true);
    expect(made.parameters().size, 'trainable variables').toBe(4);
    tf.dispose([q.mean, q.logVar]);`,
  configSnippet: (n) => `model:\n  encoder: { name: ${n.component}, hidden: 256 }`,
};

/** `decoder`: one hidden layer to every parameter the likelihood reads. */
export const decoderTemplate: ComponentTemplate = {
  kind: 'decoder',
  summary: () => 'One-hidden-layer decoder: z → dense → the likelihood parameters of every data value',
  about: () =>
    'The network of p(x|z): z (and the condition c, when the model is conditional) → a dense layer → a linear layer giving, for every data value, each parameter the likelihood asks for (`logits` for `bernoulli`; `mean`, and `logScale` for a per-value σ, for `gaussian`). Its weights live in the run’s `ParameterStore`.',
  options: hiddenOptions,
  usesLayers: true,
  madeType: 'Decoder',
  specCoreImports: [],
  specImports: [],
  source: (n) => `import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { activationOption, defineComponent, opt, type Condition, type Decoder, type DecoderOutput, type ParameterStore, type RandomStream } from '@elbo/core';
import { DenseLayer, splitParams, type Activation } from '@elbo/compute';

${optionsBlock(n, hiddenOptions)}

/**
 * The network of p(x|z[, c]): z (and c, concatenated, when conditional) → dense(hidden, activation)
 * → a linear layer with, for every data value, each parameter the likelihood reads, in its order.
 */
export class ${n.className} implements Decoder {
  private readonly hidden: DenseLayer;
  private readonly head: DenseLayer;

  constructor(
    private readonly store: ParameterStore,
    inDim: number,
    dataDim: number,
    private readonly paramNames: readonly string[],
    width: number,
    activation: Activation,
    init: RandomStream,
  ) {
    this.hidden = new DenseLayer(store, 'hidden', inDim, width, activation, init);
    this.head = new DenseLayer(store, 'head', width, dataDim * paramNames.length, 'linear', init);
  }

  parameters() {
    return this.store.parameters();
  }

  decode(z: tf.Tensor2D, c?: Condition): DecoderOutput {
    const input = c ? tf.concat([z, c], 1) : z;
    return splitParams(this.head.apply(this.hidden.apply(input)), this.paramNames);
  }
}

export const ${n.descriptor} = defineComponent({
  kind: 'decoder',
  name: ${q(n.component)},
  summary: ${q(decoderTemplate.summary(n))},
  options: ${n.camel}Options,
  create: (o, ctx) => {
    const s = ctx.shape!;
    return new ${n.className}(ctx.params, s.latentDim + s.conditionDim, s.dataDim, s.likelihoodParams, o.hidden, o.activation, ctx.rng.stream('init/decoder'));
  },
});
`,
  specExercise: () => `    const out = tf.tidy(() => made.decode(tf.randomNormal([5, shape.latentDim], 0, 1, 'float32', 7) as tf.Tensor2D));
    expect(Object.keys(out)).toEqual([...shape.likelihoodParams]);
    for (const t of Object.values(out)) expect(t.shape).toEqual([5, shape.dataDim]);
    expect(made.parameters().size, 'trainable variables').toBe(4);
    tf.dispose(Object.values(out));`,
  configSnippet: (n) => `model:\n  decoder: { name: ${n.component}, hidden: 256 }`,
};
