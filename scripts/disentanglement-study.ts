/**
 * The disentanglement study of docs/disentanglement.md: VAE, β-VAE (β = 4), FactorVAE (γ = 35) and
 * β-TCVAE (β = 6) on dSprites (the generator, full factor grid), the same conv encoder/decoder
 * (examples/dsprites-*.yaml), several seeds each, trained for `--steps` steps of batch 64, then MIG,
 * FactorVAE score, SAP and DCI (random forest and gradient-boosted trees) from `elbo eval`.
 *
 *   nice -n 19 npx tsx scripts/disentanglement-study.ts [--steps 30000] [--seeds 1,2,3] [--models vae,beta-vae,factor-vae,beta-tcvae]
 *        [--chunk 1000] [--runs runs/disentanglement-study] [--metric-examples N] [--docs]
 *
 * A sweep that resumes after any stop: every run is `<runs>/<model>-seed<s>/<run-id>/`, trained in
 * epochs of `--chunk` steps, each ending in a checkpoint; a finished run is reused, an interrupted
 * one continues with `elbo train --resume` (losing at most one chunk), and each run's metrics are
 * kept in its `artifacts/study-metrics.json`. Stop it at any time and start it again with the same
 * arguments. A run's metrics, once computed, are also recorded in the repository
 * (docs/disentanglement/study-runs.json, with the machine, date and training time; its traversal
 * grid beside it), so the study accumulates across machines and clones whose run folders are gone:
 * a recorded run is never trained again. `--recorded` trains nothing and reports the recorded runs.
 * `--metric-examples` lowers the metrics' sample sizes (for a quick check); without it
 * they are disentanglement_lib's. With `--docs` the table, the figure (docs/disentanglement/metrics.png)
 * and seed 1's latent traversals are written into docs/disentanglement.md between its study markers
 * (the study's budget only). Another `--steps` (a longer run for one seed) trains in folders of its
 * own (`<model>-seed<s>-<steps>steps/`) and is recorded under its own key; a longer one continues the
 * study's finished run of that model and seed where it is here (`elbo train --continue-from`: the
 * same run as one trained from the start, for the extra steps' time), else trains from the start.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { TopLevelSpec } from 'vega-lite';
import { parse } from 'yaml';
import { writeFileAtomic } from '@elbo/core';
import { renderPlot, PLOT_CONFIG } from '../apps/runner/src/plots/render-plot.js';

const MODELS: Readonly<Record<string, { config: string; label: string }>> = {
  vae: { config: 'examples/dsprites-vae.yaml', label: 'VAE' },
  'beta-vae': { config: 'examples/dsprites-beta-vae.yaml', label: 'β-VAE, β = 4' },
  'factor-vae': { config: 'examples/dsprites-factor-vae.yaml', label: 'FactorVAE, γ = 35' },
  'beta-tcvae': { config: 'examples/dsprites-beta-tcvae.yaml', label: 'β-TCVAE, β = 6' },
};
/** The reported metrics: `elbo eval --json` key → column title. */
const METRICS: readonly (readonly [string, string])[] = [
  ['mig/mig', 'MIG'],
  ['factorvae/eval_accuracy', 'FactorVAE score'],
  ['sap/sap', 'SAP'],
  ['dci/disentanglement', 'DCI D (forest)'],
  ['dci-gbt/disentanglement', 'DCI D (boosted trees)'],
  ['negElbo', 'held-out −ELBO'],
];

/** The study's budget; runs of another `--steps` (or `--metric-examples`) live in folders of their own. */
const STUDY_STEPS = 30000;

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: String(STUDY_STEPS) },
    seeds: { type: 'string', default: '1,2,3' },
    models: { type: 'string', default: Object.keys(MODELS).join(',') },
    chunk: { type: 'string', default: '1000' },
    runs: { type: 'string', default: 'runs/disentanglement-study' },
    'metric-examples': { type: 'string' },
    docs: { type: 'boolean', default: false },
    recorded: { type: 'boolean', default: false },
  },
});
const [steps, chunk] = [Number(values.steps), Number(values.chunk)];
if (!(steps > 0 && chunk > 0 && steps % chunk === 0)) throw new Error(`--steps ${steps} must be a positive multiple of --chunk ${chunk}`);
if (values.docs && (steps !== STUDY_STEPS || values['metric-examples']))
  throw new Error(
    `--docs writes the study's section (${STUDY_STEPS} steps, full metrics); report --steps ${steps} runs without it (they are in docs/disentanglement/study-runs.json)`,
  );
const seeds = values.seeds.split(',').map(Number);
const models = values.models.split(',');
for (const m of models) if (!MODELS[m]) throw new Error(`--models: unknown model "${m}" (one of ${Object.keys(MODELS).join(', ')})`);
const runs = resolve(values.runs);
const few = values['metric-examples'] ? Number(values['metric-examples']) : undefined;
mkdirSync(runs, { recursive: true });

function elbo(args: string[]): string {
  return execFileSync('npx', ['elbo', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 })
    .trim()
    .split('\n')
    .at(-1)!;
}

function statusOf(run: string): string | undefined {
  const f = join(run, 'status.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as { status: string }).status : undefined;
}

/** The newest run folder in `<runs>/<folder>/` (run ids sort by start time). */
function latestRun(folder: string): string | undefined {
  const dir = join(runs, folder);
  const last = existsSync(dir) ? readdirSync(dir).sort().at(-1) : undefined;
  return last ? join(dir, last) : undefined;
}

/**
 * For a budget above the study's: the study's finished run of `model` and `seed`, in the same chunks,
 * which `elbo train --continue-from` trains on (the same run as one trained from the start, at the
 * cost of the extra steps only).
 */
function shorterRun(model: string, seed: number): string | undefined {
  if (steps <= STUDY_STEPS || few) return undefined;
  const run = latestRun(`${model}-seed${seed}`);
  if (!run || statusOf(run) !== 'FINISHED' || !existsSync(join(run, 'checkpoint'))) return undefined;
  return (parse(readFileSync(join(run, 'config.yaml'), 'utf8')) as { train: { stepsPerEpoch?: number } }).train.stepsPerEpoch === chunk ? run : undefined;
}

/** The run of `model` and `seed`: reused when finished, resumed when interrupted, else trained (or continued from the study's run). */
function trained(model: string, seed: number): string {
  const key = folderOf(model, seed);
  const run = latestRun(key);
  if (run && statusOf(run) === 'FINISHED') return run;
  if (run && existsSync(join(run, 'checkpoint'))) {
    console.error(`${key}: resuming ${run}`);
    return elbo(['train', '--resume', run]);
  }
  const source = shorterRun(model, seed);
  if (source) {
    console.error(`${key}: continuing ${source} to ${steps} steps`);
    const sets = [`runs=${runs}`, `experiment=${key}`, `train.epochs=${steps / chunk}`];
    return elbo(['train', '--continue-from', source, ...sets.flatMap((s) => ['--set', s])]);
  }
  console.error(`${key}: training ${steps} steps`);
  const metricOptions = few
    ? `{mig: {numTrain: ${few}}, factorvae: {numTrain: ${few}, numEval: ${few}, numVarianceEstimate: ${few}}, sap: {numTrain: ${few}, numTest: ${few}}, dci: {numTrain: ${few}, numTest: ${few}}, dci-gbt: {numTrain: ${few}, numTest: ${few}}}`
    : '{}';
  const sets = [
    `runs=${runs}`,
    `experiment=${key}`,
    `seed=${seed}`,
    `train.stepsPerEpoch=${chunk}`,
    `train.epochs=${steps / chunk}`,
    'eval.k=0',
    'tracking.console=false',
    `eval.metrics=${metricOptions}`,
  ];
  return elbo(['train', MODELS[model]!.config, ...sets.flatMap((s) => ['--set', s])]);
}

/** The run's metrics, computed once by `elbo eval` and kept in the run. */
function metricsOf(run: string): Record<string, number> {
  const file = join(run, 'artifacts', 'study-metrics.json');
  if (!existsSync(file)) {
    console.error(`${run}: metrics`);
    const json = JSON.parse(elbo(['eval', run, '--k', '0', '--metrics', 'mig,factorvae,sap,dci,dci-gbt', '--json'])) as { negElbo: number; metrics: Record<string, number> };
    writeFileSync(file, JSON.stringify({ negElbo: json.negElbo, ...json.metrics }, null, 2));
  }
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
}

/** A finished run as the repository keeps it. */
interface Recorded {
  model: string;
  seed: number;
  steps: number;
  metricExamples?: number;
  values: Record<string, number>;
  /** Seconds from the run's creation to its last checkpoint (the training, resumes included). */
  trainSeconds: number;
  /** The study run (ledger key) this run continued; `trainSeconds` then counts the added steps only. */
  continuedFrom?: string;
  machine: string;
  date: string;
}
const out = resolve('docs', 'disentanglement');
const ledger = join(out, 'study-runs.json');
const recorded: Record<string, Recorded> = existsSync(ledger) ? (JSON.parse(readFileSync(ledger, 'utf8')) as Record<string, Recorded>) : {};
const machine = `${cpus().length}-core ${cpus()[0]?.model.trim()}, Node ${process.version}`;
/** The ledger's key of a run: its model, seed, budget and metric sample size. */
const keyOf = (model: string, seed: number) => `${model}-seed${seed}-${steps}steps${few ? `-metrics${few}` : ''}`;
/**
 * A run's folder under `--runs`: `<model>-seed<s>` for the study's budget and metrics, else the
 * ledger key — so that a longer run (`--steps 60000`) never reuses, nor is recorded as, a finished
 * shorter one.
 */
const folderOf = (model: string, seed: number) => (steps === STUDY_STEPS && !few ? `${model}-seed${seed}` : keyOf(model, seed));

async function record(model: string, seed: number, run: string, values: Record<string, number>): Promise<void> {
  const created = statSync(join(run, 'config.yaml')).mtimeMs;
  const source = (JSON.parse(readFileSync(join(run, 'params.json'), 'utf8')) as { continued_from?: string }).continued_from;
  const last = statSync(join(run, 'checkpoint')).mtimeMs;
  recorded[keyOf(model, seed)] = {
    model,
    seed,
    steps,
    ...(few ? { metricExamples: few } : {}),
    values,
    trainSeconds: Math.round((last - created) / 1000),
    ...(source ? { continuedFrom: `${basename(dirname(source))}-${STUDY_STEPS}steps` } : {}),
    machine,
    date: new Date().toISOString().slice(0, 10),
  };
  mkdirSync(out, { recursive: true });
  const png = join(run, 'artifacts', 'latent-traversals.png');
  if (existsSync(png)) copyFileSync(png, join(out, `traversals-${keyOf(model, seed)}.png`));
  await writeFileAtomic(ledger, `${JSON.stringify(recorded, null, 2)}\n`);
  console.error(`${ledger}: recorded ${keyOf(model, seed)}`);
}

const results: { model: string; seed: number; values: Record<string, number> }[] = [];
for (const seed of seeds)
  for (const model of models) {
    const kept = recorded[keyOf(model, seed)];
    if (kept) results.push({ model, seed, values: kept.values });
    else if (!values.recorded) {
      const run = trained(model, seed);
      const v = metricsOf(run);
      await record(model, seed, run, v);
      results.push({ model, seed, values: v });
    }
  }

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const spread = (v: number[]) => (v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean(v)) ** 2, 0) / (v.length - 1)) : 0);
const fmt = (v: number[]) => (v.length ? `${mean(v).toFixed(3)} ± ${spread(v).toFixed(3)} (${v.length})` : '—');
/** Where and when each reported run was trained (every one is recorded by now). */
const trainedOn = [...new Set(results.map((r) => recorded[keyOf(r.model, r.seed)]!).map((k) => `${k.machine} (${k.date})`))].join('; ');
const date = new Date().toISOString().slice(0, 10);
const header = `${results.length} of ${models.length * seeds.length} runs (${models.length} models × seeds ${seeds.join(', ')}), ${steps.toLocaleString('en')} steps of batch 64 each (${((steps * 64) / 737280).toFixed(2)} epochs of dSprites); metrics ${few ? `on ${few} examples each (reduced)` : 'at disentanglement_lib’s sample sizes'}; mean ± standard deviation over the seeds run (n per cell in brackets); trained on ${trainedOn}; reported ${date}`;
const table = [
  `| model | ${METRICS.map(([, t]) => t).join(' | ')} |`,
  `|---|${METRICS.map(() => '---:').join('|')}|`,
  ...models.map((m) => `| ${MODELS[m]!.label} | ${METRICS.map(([k]) => fmt(results.filter((r) => r.model === m).map((r) => r.values[k]!))).join(' | ')} |`),
];
console.log(header);
for (const line of table) console.log(line);

if (values.docs) {
  mkdirSync(out, { recursive: true });
  const spec: TopLevelSpec = {
    config: PLOT_CONFIG,
    data: { values: results.flatMap((r) => METRICS.slice(0, 5).map(([k, t]) => ({ model: MODELS[r.model]!.label, metric: t, value: r.values[k], seed: `seed ${r.seed}` }))) },
    facet: { column: { field: 'metric', title: null } },
    spec: {
      width: 150,
      height: 220,
      layer: [
        {
          mark: { type: 'point', filled: true, size: 60, opacity: 0.8 },
          encoding: {
            x: { field: 'model', title: null, sort: models.map((m) => MODELS[m]!.label) },
            y: { field: 'value', type: 'quantitative', title: null },
            color: { field: 'seed' },
          },
        },
        {
          mark: { type: 'tick', thickness: 2, color: 'black' },
          encoding: { x: { field: 'model', sort: models.map((m) => MODELS[m]!.label) }, y: { aggregate: 'mean', field: 'value', type: 'quantitative' } },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
  writeFileSync(join(out, 'metrics.png'), await renderPlot(spec));
  const traversals: string[] = [];
  for (const m of models) {
    const r = results.find((x) => x.model === m && x.seed === seeds[0]);
    const png = `traversals-${keyOf(m, seeds[0]!)}.png`;
    if (r && existsSync(join(out, png))) traversals.push(`**${MODELS[m]!.label}** (seed ${seeds[0]}):\n\n![${MODELS[m]!.label} latent traversals](disentanglement/${png})`);
  }
  const doc = resolve('docs', 'disentanglement.md');
  const text = readFileSync(doc, 'utf8');
  const [start, end] = ['<!-- study:start -->', '<!-- study:end -->'];
  const [i, j] = [text.indexOf(start), text.indexOf(end)];
  if (i < 0 || j < i) throw new Error(`${doc}: missing ${start} … ${end}`);
  const body = [
    `Generated by \`npx tsx scripts/disentanglement-study.ts ${process.argv.slice(2).join(' ')}\`: ${header}.`,
    '',
    ...table,
    '',
    '![metric per model, one point per seed, the black tick the mean](disentanglement/metrics.png)',
    '',
    'Latent traversals (each row one latent dimension swept over [−3, 3], rows ordered by KL):',
    '',
    traversals.join('\n\n'),
  ].join('\n');
  writeFileSync(doc, `${text.slice(0, i + start.length)}\n${body}\n${text.slice(j)}`);
  console.error(`${doc}: study section written`);
}
