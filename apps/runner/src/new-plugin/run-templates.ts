import { optionsBlock, q, type ComponentTemplate, type OptionTemplate } from './component-template.js';

const datasetOptions: readonly OptionTemplate[] = [
  { name: 'dim', zod: 'opt.positiveInt().default(16)', type: 'positive integer', default: '16', description: 'values per example' },
  { name: 'clusters', zod: 'opt.positiveInt().default(4)', type: 'positive integer', default: '4', description: 'number of clusters (the class labels)' },
  { name: 'spread', zod: 'opt.positive().default(0.1)', type: 'number > 0', default: '0.1', description: 'standard deviation of the values around their cluster centre' },
  { name: 'trainSize', zod: 'opt.positiveInt().default(2000)', type: 'positive integer', default: '2000', description: 'examples in the train split' },
  { name: 'testSize', zod: 'opt.positiveInt().default(500)', type: 'positive integer', default: '500', description: 'examples in the test split' },
  { name: 'seed', zod: 'opt.nonNegativeInt().default(0)', type: 'integer ≥ 0', default: '0', description: 'seed of the centres and examples (fixed, independent of the run seed)' },
];

/** `dataset`: synthetic Gaussian clusters, continuous and labelled. */
export const datasetTemplate: ComponentTemplate = {
  kind: 'dataset',
  summary: () => 'Synthetic Gaussian clusters: continuous vectors around random centres, labelled by cluster',
  about: () =>
    'Synthetic continuous data: `clusters` centres drawn uniformly in [−1, 1]^dim, each example a centre (its class label) plus N(0, spread²) noise on every value. The data depend on the `seed` option only, not on the run’s seed, so runs with different seeds see the same examples. Train and test are independent draws around the same centres. Pair it with a likelihood for continuous data (`gaussian`).',
  options: datasetOptions,
  usesLayers: false,
  madeType: 'Dataset',
  specCoreImports: [],
  specImports: [],
  source: (n) => `import { z } from 'zod';
import { defineComponent, mulberry32, opt, type DataSplit, type Dataset } from '@elbo/core';

${optionsBlock(n, datasetOptions)}

export type ${n.pascal}Options = z.output<typeof ${n.camel}Options>;

/** A split held in memory: \`size × dim\` values, row-major, and one label per example. */
class ArraySplit implements DataSplit {
  constructor(
    readonly values: Float32Array,
    readonly dim: number,
    readonly labels: Int32Array,
  ) {}

  get size(): number {
    return this.labels.length;
  }

  read(indices: ArrayLike<number>, out: Float32Array): void {
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k]!;
      if (!(Number.isInteger(i) && i >= 0 && i < this.size)) throw new RangeError(\`example index \${i} is outside 0..\${this.size - 1}\`);
      out.set(this.values.subarray(i * this.dim, (i + 1) * this.dim), k * this.dim);
    }
  }
}

/**
 * Gaussian clusters: \`clusters\` centres uniform in [−1, 1]^dim; each example is a uniformly chosen
 * centre (its label) plus N(0, spread²) noise per value (Box–Muller). Deterministic in \`seed\`.
 */
export function make${n.pascal}(o: ${n.pascal}Options): Dataset {
  const u = mulberry32(o.seed + 1);
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const centres = Float32Array.from({ length: o.clusters * o.dim }, () => 2 * u() - 1);
  const split = (size: number) => {
    const values = new Float32Array(size * o.dim);
    const labels = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      const k = Math.floor(u() * o.clusters);
      labels[i] = k;
      for (let j = 0; j < o.dim; j++) values[i * o.dim + j] = centres[k * o.dim + j]! + o.spread * normal();
    }
    return new ArraySplit(values, o.dim, labels);
  };
  const train = split(o.trainSize);
  const test = split(o.testSize);
  return {
    name: ${q(n.component)},
    shape: [o.dim],
    support: 'continuous',
    numClasses: o.clusters,
    train,
    test,
    describe: () => \`${n.component}: \${o.clusters} Gaussian clusters in \${o.dim} dimensions (spread \${o.spread}, seed \${o.seed}); \${train.size} train / \${test.size} test examples\`,
  };
}

export const ${n.descriptor} = defineComponent({
  kind: 'dataset',
  name: ${q(n.component)},
  summary: ${q(datasetTemplate.summary(n))},
  options: ${n.camel}Options,
  create: (o) => make${n.pascal}(o),
});
`,
  specExercise: () => `    const again = await r.create<Dataset>(resolved, { container, rng: new Rng(2), logger: new SilentLogger(), params, shape });
    expect(made.shape).toEqual([16]);
    expect([made.train.size, made.test.size]).toEqual([2000, 500]);
    const a = new Float32Array(3 * made.train.dim);
    const b = new Float32Array(3 * made.train.dim);
    made.train.read([0, 1, 2], a);
    again.train.read([0, 1, 2], b);
    expect(a, 'the data depend on the seed option only').toEqual(b);
    expect(a.every(Number.isFinite)).toBe(true);
    expect(Math.max(...made.train.labels!)).toBeLessThan(made.numClasses!);`,
  configSnippet: (n) => `data: { name: ${n.component}, dim: 16, clusters: 4 }\nmodel:\n  likelihood: gaussian   # the data are continuous`,
};

const fileOption: OptionTemplate = {
  name: 'file',
  zod: "fileName.default('metrics.csv')",
  type: 'string',
  default: '"metrics.csv"',
  description: 'name of the CSV file in the run folder',
};

/** `tracker`: every metric point as a CSV row in the run folder. */
export const trackerTemplate: ComponentTemplate = {
  kind: 'tracker',
  summary: () => 'writes every metric point as a CSV row (step, key, value, timestamp) in the run folder',
  about: () =>
    'Writes every metric point as a CSV row `step,key,value,timestamp` to a file in the run folder (`metrics.csv` by default), for a spreadsheet or pandas. A resumed run rewrites the file from the history it keeps, so it ends with the same rows as an uninterrupted run. It runs beside the other trackers; every tracker receives the same events.',
  options: [fileOption],
  usesLayers: false,
  madeType: 'Tracker',
  specCoreImports: [],
  specImports: ["import { mkdtempSync, readFileSync, rmSync } from 'node:fs';", "import { tmpdir } from 'node:os';", "import { join } from 'node:path';"],
  source: (n) => `import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { defineComponent, opt, type MetricPoint, type ParamValue, type ResumeInfo, type RunInfo, type RunStatus, type Tracker } from '@elbo/core';

const notAFileName = (issue: { input?: unknown }) => \`expected a file name (letters, digits, '.', '_', '-'), got \${JSON.stringify(issue.input)}\`;
const fileName = opt.string().regex(/^[\\w.-]+$/, { error: notAFileName });

${optionsBlock(n, [fileOption])}

const HEADER = 'step,key,value,timestamp\\n';
const row = (p: MetricPoint) => \`\${p.step},\${JSON.stringify(p.key)},\${p.value},\${p.timestamp}\\n\`;

/**
 * Every metric point as a CSV row in \`<run folder>/<file>\`. A resumed run starts the file again
 * from the kept history (points after the checkpoint are dropped, as in the run's metrics.jsonl).
 */
export class ${n.className} implements Tracker {
  readonly name = ${q(n.component)};
  private path?: string;

  constructor(private readonly file: string) {}

  async start(run: RunInfo, resume?: ResumeInfo): Promise<void> {
    this.path = join(run.runDir, this.file);
    await writeFile(this.path, HEADER + (resume?.history ?? []).map(row).join(''));
  }

  async logParams(_params: Readonly<Record<string, ParamValue>>): Promise<void> {}

  async logMetrics(points: readonly MetricPoint[]): Promise<void> {
    if (this.path && points.length) await appendFile(this.path, points.map(row).join(''));
  }

  async logArtifact(_path: string, _localFile: string): Promise<void> {}

  async finish(_status: RunStatus, _error?: string): Promise<void> {}
}

export const ${n.descriptor} = defineComponent({
  kind: 'tracker',
  name: ${q(n.component)},
  summary: ${q(trackerTemplate.summary(n))},
  options: ${n.camel}Options,
  create: (o) => new ${n.className}(o.file),
});
`,
  specExercise: () => `    const runDir = mkdtempSync(join(tmpdir(), 'tracker-'));
    try {
      await made.start({ runId: 'r1', experiment: 'test', runDir, startedAt: Date.now(), config: {}, tags: {} });
      await made.logMetrics([
        { key: 'train/loss', value: 1.5, step: 1, timestamp: 10 },
        { key: 'train/kl', value: 0.25, step: 1, timestamp: 10 },
      ]);
      await made.finish('FINISHED');
      const lines = readFileSync(join(runDir, 'metrics.csv'), 'utf8').trim().split('\\n');
      expect(lines).toEqual(['step,key,value,timestamp', '1,"train/loss",1.5,10', '1,"train/kl",0.25,10']);
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }`,
  configSnippet: (n) => `tracking:\n  ${n.component}: { file: metrics.csv }   # beside the default local and console trackers`,
};

const metricOptions: readonly OptionTemplate[] = [
  { name: 'numExamples', zod: 'opt.positiveInt().default(1000)', type: 'positive integer', default: '1000', description: 'random examples whose mean codes are measured' },
  {
    name: 'threshold',
    zod: 'opt.nonNegative().default(0.01)',
    type: 'number ≥ 0',
    default: '0.01',
    description: 'a code dimension is active when the variance of its mean over the data exceeds this',
  },
  {
    name: 'encodeBatch',
    zod: 'opt.positiveInt().default(256)',
    type: 'positive integer',
    default: '256',
    description: 'examples per representation call (does not change the score)',
  },
];

/** `metric`: active units of the representation. */
export const metricTemplate: ComponentTemplate = {
  kind: 'metric',
  summary: () => 'Active units (Burda et al. 2016): code dimensions whose mean varies across the data',
  about: () =>
    'Active units (Burda et al. 2016, §5.1): a code dimension u is active when A_u = Cov_x(E_q(z|x)[z_u]) exceeds `threshold` (0.01), the variance (ddof 1) of its posterior mean over `numExamples` random examples of the split. Scores: `active_units` and `fraction_active`. It draws its examples from the stream it is given, so it is repeatable. It does not read ground-truth factors, but `elbo eval --metrics` runs metrics only on datasets that have them (dSprites).',
  options: metricOptions,
  usesLayers: false,
  madeType: 'EvaluationMetric',
  specCoreImports: ['type GroundTruthData', 'type Representation'],
  specImports: [],
  source: (n) => `import { z } from 'zod';
import { defineComponent, opt, type EvaluationMetric } from '@elbo/core';

${optionsBlock(n, metricOptions)}

export type ${n.pascal}Options = z.output<typeof ${n.camel}Options>;

/**
 * Active units (Burda et al. 2016, §5.1): dimension u is active when the variance (ddof 1) of its
 * posterior mean over \`numExamples\` random examples exceeds \`threshold\`. Scores: \`active_units\`,
 * \`fraction_active\`. Examples are drawn from \`rng\`, so the score is repeatable.
 */
export function make${n.pascal}Metric(o: ${n.pascal}Options): EvaluationMetric {
  return async (rep, data, rng) => {
    const n = Math.min(o.numExamples, data.size);
    const indices = rng.permutation(data.size).subarray(0, n);
    const inputs = new Float32Array(o.encodeBatch * data.dim);
    let sum = new Float64Array(0);
    let sumSq = new Float64Array(0);
    for (let start = 0; start < n; start += o.encodeBatch) {
      const count = Math.min(o.encodeBatch, n - start);
      data.read(indices.subarray(start, start + count), inputs);
      const codes = await rep(inputs, count);
      const dim = codes.length / count;
      if (sum.length !== dim) [sum, sumSq] = [new Float64Array(dim), new Float64Array(dim)];
      for (let i = 0; i < count; i++) {
        for (let j = 0; j < dim; j++) {
          const v = codes[i * dim + j]!;
          sum[j]! += v;
          sumSq[j]! += v * v;
        }
      }
    }
    const active = Array.from(sum, (s, j) => (sumSq[j]! - (s * s) / n) / Math.max(n - 1, 1)).filter((v) => v > o.threshold).length;
    return { active_units: active, fraction_active: sum.length ? active / sum.length : 0 };
  };
}

export const ${n.descriptor} = defineComponent({
  kind: 'metric',
  name: ${q(n.component)},
  summary: ${q(metricTemplate.summary(n))},
  options: ${n.camel}Options,
  create: (o) => make${n.pascal}Metric(o),
});
`,
  specDeclarations: `
/** 200 examples of 3 values; the representation's code 0 follows value 0, code 1 is constant. */
const values = Float32Array.from({ length: 200 * 3 }, (_, i) => ((i * 7919) % 13) / 13);
const data: GroundTruthData = {
  size: 200,
  dim: 3,
  read: (indices, out) => {
    for (let k = 0; k < indices.length; k++) out.set(values.subarray(indices[k]! * 3, indices[k]! * 3 + 3), k * 3);
  },
  factors: { names: ['none'], sizes: [1], values: [[0]], classesOf: () => {}, indexOf: () => 0 },
};
const rep: Representation = async (inputs, count) => Float32Array.from({ length: count * 2 }, (_, i) => (i % 2 === 0 ? 10 * inputs[(i / 2) * 3]! : 1));
`,
  specExercise: () => `    const scores = await made(rep, data, new Rng(1).stream('eval/metric'));
    expect(scores).toEqual({ active_units: 1, fraction_active: 0.5 });`,
  configSnippet: (n) => `eval:\n  metrics:\n    ${n.component}: { numExamples: 1000 }   # elbo eval <run-dir> --metrics ${n.component}`,
};
