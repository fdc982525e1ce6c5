import { optionsBlock, q, type ComponentTemplate, type OptionTemplate } from './component-template.js';

const scaleOption: OptionTemplate = { name: 'scale', zod: 'opt.positive().default(1)', type: 'number > 0', default: '1', description: 'σ of every latent dimension' };

/** `prior`: N(0, σ²I) with a fixed σ, in closed form. */
export const priorTemplate: ComponentTemplate = {
  kind: 'prior',
  summary: () => 'p(z) = N(0, σ² I) with a fixed σ (closed-form KL)',
  about: () =>
    'p(z) = N(0, σ²I) with a fixed σ (`scale`); σ = 1 is the standard normal. Its density is exact (`gaussian: true`), so `divergence: kl` takes KL(q‖p) in closed form. It ignores conditions.',
  options: [scaleOption],
  usesLayers: false,
  madeType: 'Prior',
  specCoreImports: [],
  specImports: [],
  source: (n) => `import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { DiagonalGaussian, NO_PARAMETERS, defineComponent, opt, type Condition, type Prior } from '@elbo/core';

${optionsBlock(n, [scaleOption])}

/** p(z) = N(0, σ²I) with a fixed σ. Exact, so KL(q‖p) has a closed form; ignores conditions. */
export class ${n.className} implements Prior {
  readonly gaussian = true;
  private readonly logVar: number;

  constructor(
    readonly latentDim: number,
    readonly scale: number,
  ) {
    this.logVar = 2 * Math.log(scale);
  }

  parameters() {
    return NO_PARAMETERS;
  }

  distribution(n: number, c?: Condition): DiagonalGaussian {
    const rows = c ? c.shape[0] : n;
    return new DiagonalGaussian(tf.zeros([rows, this.latentDim]), tf.fill([rows, this.latentDim], this.logVar));
  }

  /** log N(z; 0, σ²I) = −½ Σ_d (z_d² / σ² + log σ² + log 2π); z may have leading sample axes. */
  logProb(z: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.mul(tf.sum(tf.add(tf.div(tf.square(z), this.scale * this.scale), this.logVar + Math.log(2 * Math.PI)), -1), -0.5));
  }

  sample(n: number, seed: number, c?: Condition): tf.Tensor2D {
    return tf.randomNormal([c ? c.shape[0] : n, this.latentDim], 0, this.scale, 'float32', seed);
  }
}

export const ${n.descriptor} = defineComponent({
  kind: 'prior',
  name: ${q(n.component)},
  summary: ${q(priorTemplate.summary(n))},
  options: ${n.camel}Options,
  create: (o, ctx) => new ${n.className}(ctx.shape!.latentDim, o.scale),
});
`,
  specExercise: () => `    const out = tf.tidy(() => {
      const p = made.distribution(3);
      return { logP: made.logProb(tf.zeros([3, shape.latentDim])), z: made.sample(3, 7), mean: tf.clone(p.mean), logVar: tf.clone(p.logVar) };
    });
    expect(made.gaussian).toBe(true);
    expect(out.z.shape).toEqual([3, shape.latentDim]);
    expect(out.mean.shape).toEqual([3, shape.latentDim]);
    // log N(0; 0, σ²I) = −½ L (log σ² + log 2π), σ = 1 by default.
    for (const v of await out.logP.data()) expect(v).toBeCloseTo(-0.5 * shape.latentDim * Math.log(2 * Math.PI), 4);
    tf.dispose(Object.values(out));`,
  configSnippet: (n) => `model:\n  prior: { name: ${n.component}, scale: 1 }`,
};

const laplaceScale: OptionTemplate = { name: 'scale', zod: 'opt.positive().default(0.1)', type: 'number > 0', default: '0.1', description: 'b: the Laplace scale of every value' };

/** `likelihood`: Laplace with a fixed scale, an L1 reconstruction term. */
export const likelihoodTemplate: ComponentTemplate = {
  kind: 'likelihood',
  summary: () => 'Laplace with a fixed scale b, for continuous data (an L1 reconstruction term)',
  about: () =>
    'p(x|z) = Π_d Laplace(x_d; μ_d, b) with a fixed scale b, for continuous data: log p = −Σ_d |x_d − μ_d| / b − D·log 2b, an L1 reconstruction error that is less swayed by outlying values than the Gaussian’s squared error. It asks the decoder for `mean` (μ).',
  options: [laplaceScale],
  usesLayers: false,
  madeType: 'Likelihood',
  specCoreImports: [],
  specImports: [],
  source: (n) => `import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { NO_PARAMETERS, defineComponent, opt, type DecoderOutput, type Likelihood } from '@elbo/core';

${optionsBlock(n, [laplaceScale])}

/**
 * p(x|z) = Π_d Laplace(x_d; μ_d, b) with a fixed scale b, for continuous data; the decoder's
 * \`mean\` is μ. log p = −Σ_d |x_d − μ_d| / b − D·log 2b: an L1 reconstruction term.
 */
export class ${n.className} implements Likelihood {
  readonly paramNames = ['mean'] as const;

  constructor(readonly scale: number) {}

  parameters() {
    return NO_PARAMETERS;
  }

  logProb(x: tf.Tensor2D, p: DecoderOutput): tf.Tensor1D {
    return tf.tidy(() => tf.sub(tf.mul(tf.sum(tf.abs(tf.sub(x, p['mean']!)), -1), -1 / this.scale), x.shape[1] * Math.log(2 * this.scale)));
  }

  mean(p: DecoderOutput): tf.Tensor2D {
    return tf.clone(p['mean']!);
  }

  /** Inverse CDF: x = μ − b·sign(u)·log(1 − 2|u|) with u ~ U(−½, ½). */
  sample(p: DecoderOutput, seed: number): tf.Tensor2D {
    return tf.tidy(() => {
      const mu = p['mean']!;
      const u = tf.randomUniform(mu.shape, -0.5, 0.5, 'float32', seed);
      const tail = tf.log1p(tf.mul(tf.minimum(tf.abs(u), 0.5 - 1e-6), -2));
      return tf.sub(mu, tf.mul(tf.mul(tf.sign(u), tail), this.scale));
    });
  }
}

export const ${n.descriptor} = defineComponent({
  kind: 'likelihood',
  name: ${q(n.component)},
  summary: ${q(likelihoodTemplate.summary(n))},
  options: ${n.camel}Options,
  create: (o) => new ${n.className}(o.scale),
});
`,
  specExercise: () => `    const out = tf.tidy(() => {
      const mean = tf.fill([4, shape.dataDim], 0.5) as tf.Tensor2D;
      return { at: made.logProb(mean, { mean }), away: made.logProb(tf.zeros([4, shape.dataDim]), { mean }), x: made.sample({ mean }, 7) };
    });
    expect(made.paramNames).toEqual(['mean']);
    // At x = μ, log p = −D·log 2b (b = 0.1 by default); away from μ it is lower.
    const at = await out.at.data();
    for (const v of at) expect(v).toBeCloseTo(-shape.dataDim * Math.log(0.2), 3);
    expect((await out.away.data())[0]!).toBeLessThan(at[0]!);
    expect(out.x.shape).toEqual([4, shape.dataDim]);
    tf.dispose(Object.values(out));`,
  configSnippet: (n) => `model:\n  likelihood: { name: ${n.component}, scale: 0.1 }   # continuous data`,
};

const betaOption: OptionTemplate = {
  name: 'beta',
  zod: 'opt.nonNegative().default(1)',
  type: 'number ≥ 0',
  default: '1',
  description: 'weight β of the KL term (1: the plain ELBO; > 1: β-VAE)',
};

/** `divergence` (the default): β·KL in closed form, reporting both parts. */
export const divergenceTemplate: ComponentTemplate = {
  kind: 'divergence',
  summary: () => 'β·KL(q‖p) in closed form, logged as kl and weighted_kl',
  about: () =>
    'β·KL(q(z|x) ‖ p(z)) in closed form for a Gaussian prior, averaged over the batch (Kingma & Welling 2014, appendix B; β > 1 is the β-VAE of Higgins et al. 2017). It reports two parts, which the trainer logs as `train/kl` (the plain KL) and `train/weighted_kl` (β·KL, the term in the loss). Its terms are batch means of per-example values, so `train.workers` can split a batch across threads.',
  options: [betaOption],
  usesLayers: false,
  madeType: 'Divergence',
  specCoreImports: ['DiagonalGaussian', 'NO_PARAMETERS', 'type Prior'],
  specImports: [],
  specDeclarations: `
/** The prior object the trainer passes (this divergence reads the prior's distribution instead). */
const standardPrior: Prior = {
  gaussian: true,
  parameters: () => NO_PARAMETERS,
  distribution: (n) => DiagonalGaussian.standard(n, shape.latentDim),
  logProb: (z) => tf.mul(tf.sum(tf.add(tf.square(z), Math.log(2 * Math.PI)), -1), -0.5),
  sample: (n, seed) => tf.randomNormal([n, shape.latentDim], 0, 1, 'float32', seed),
};
`,
  source: (n) => `import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ConfigError, NO_PARAMETERS, defineComponent, opt, type DiagonalGaussian, type Divergence, type DivergenceTerms } from '@elbo/core';

${optionsBlock(n, [betaOption])}

/**
 * β·KL(q(z|x) ‖ p(z)) in closed form for a Gaussian prior, averaged over the batch (Kingma &
 * Welling 2014, appendix B; β > 1 is β-VAE, Higgins et al. 2017). Parts, logged by the trainer as
 * \`train/<part>\`: \`kl\` (the plain KL) and \`weighted_kl\` (β·KL, the term in the loss).
 */
export class ${n.className} implements Divergence {
  /** The terms are batch means of per-example values: \`train.workers\` may split a batch. */
  readonly perExample = true;

  constructor(readonly beta: number) {}

  parameters() {
    return NO_PARAMETERS;
  }

  terms(q: DiagonalGaussian, p: DiagonalGaussian | undefined): DivergenceTerms {
    if (!p) throw new ConfigError(${q(`model.divergence: "${n.component}" needs a prior with a closed-form Gaussian density (e.g. standard-normal)`)});
    const kl = tf.mean(q.kl(p)) as tf.Scalar;
    const weighted = tf.mul(kl, this.beta) as tf.Scalar;
    return { total: weighted, parts: { kl, weighted_kl: weighted } };
  }
}

export const ${n.descriptor} = defineComponent({
  kind: 'divergence',
  name: ${q(n.component)},
  summary: ${q(divergenceTemplate.summary(n))},
  options: ${n.camel}Options,
  create: (o) => new ${n.className}(o.beta),
});
`,
  specExercise: () => `    const out = tf.tidy(() => {
      const q = new DiagonalGaussian(tf.randomNormal([5, shape.latentDim], 0, 1, 'float32', 7) as tf.Tensor2D, tf.fill([5, shape.latentDim], -1) as tf.Tensor2D);
      const p = DiagonalGaussian.standard(5, shape.latentDim);
      const t = made.terms(q, p, q.rsample(3), standardPrior, { step: 0, datasetSize: shape.datasetSize, seed: 5 });
      return { total: t.total, kl: t.parts['kl']!, weighted: t.parts['weighted_kl']! };
    });
    const [total, kl, weighted] = [(await out.total.data())[0]!, (await out.kl.data())[0]!, (await out.weighted.data())[0]!];
    expect(kl).toBeGreaterThan(0);
    expect(weighted).toBeCloseTo(kl, 5); // β = 1 by default
    expect(total).toBeCloseTo(weighted, 5);
    tf.dispose(Object.values(out));`,
  configSnippet: (n) => `model:\n  divergence: { name: ${n.component}, beta: 1 }`,
};
