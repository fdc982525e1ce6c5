/**
 * The model zoo: every model family trained on the embedded MNIST with the main job's budget (its
 * data, networks, optimiser, batch size and epochs — examples/mnist-vae.yaml), then the held-out
 * IWAE estimate of −log p(x) with k = 1,000, the negative ELBO, active units and time per epoch,
 * written to docs/model-zoo.md with the machine and the date.
 *
 *   nice -n 15 npx tsx scripts/model-zoo.ts                      # the main job's budget (30 epochs)
 *   nice -n 15 npx tsx scripts/model-zoo.ts --epochs 5 --limit 500 --only vae,iwae
 *
 * --epochs and --limit (test digits evaluated) shrink the budget; the document says which was used.
 * --seed N trains with another seed (every family's row then says so), to see how far one seed moves a row.
 */
import { cpus, platform, release } from 'node:os';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SilentLogger, trainRun, type Evaluation } from '@elbo/core';
import { loadResolved } from '@elbo/runner';

interface Family {
  readonly id: string;
  readonly name: string;
  readonly file: string;
  readonly overrides?: readonly string[];
}

const families: readonly Family[] = [
  { id: 'vae', name: 'VAE (ELBO, 1 stochastic layer, N(0, I))', file: 'mnist-vae.yaml' },
  { id: 'vae-mc', name: 'VAE, Monte-Carlo KL (the estimator the non-Gaussian families use)', file: 'mnist-vae.yaml', overrides: ['model.divergence=mc-kl'] },
  { id: 'iwae', name: 'IWAE, k = 5', file: 'mnist-iwae.yaml' },
  { id: 'vamp', name: 'VampPrior (500 pseudo-inputs)', file: 'mnist-vamp.yaml' },
  { id: 'iaf', name: 'IAF posterior (4 affine steps from the identity, flow-kl)', file: 'mnist-iaf.yaml' },
  { id: 'iaf-mc', name: 'IAF posterior (4 affine steps from the identity), Monte-Carlo KL', file: 'mnist-iaf.yaml', overrides: ['model.divergence=mc-kl'] },
  {
    id: 'iaf-gated',
    name: 'IAF posterior (4 gated steps, the paper’s form and initialisation), Monte-Carlo KL',
    file: 'mnist-iaf.yaml',
    overrides: ['model.posterior.form=gated', 'model.divergence=mc-kl'],
  },
  {
    id: 'iaf-context',
    name: 'IAF posterior, amortised (4 affine steps reading the encoder’s μ, log σ²), flow-kl',
    file: 'mnist-iaf.yaml',
    overrides: ['model.posterior.context=true'],
  },
  { id: 'planar', name: 'planar-flow posterior (8 steps), flow-kl', file: 'mnist-iaf.yaml', overrides: ['model.posterior={name: planar, steps: 8}'] },
  { id: 'two-layer', name: '2 stochastic layers (z₁ 20, z₂ 10)', file: 'mnist-two-layer.yaml' },
  { id: 'vq', name: 'VQ-VAE (16 × 64 codes, EMA)', file: 'mnist-vq-vae.yaml' },
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const root = join(import.meta.dirname, '..');
const epochs = arg('epochs');
const limit = arg('limit');
const k = Number(arg('k') ?? 1000);
const only = arg('only')?.split(',');
const seed = arg('seed');
const out = arg('out') ?? join(root, 'docs', 'model-zoo.md');
const runs = arg('runs') ?? join(root, 'runs', 'model-zoo');

interface Row {
  readonly family: Family;
  readonly ev: Evaluation;
  readonly epochSeconds: number;
  readonly epochs: number;
}

const rows: Row[] = [];
const fmt = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(2));
const budget = (r: Row) =>
  `${r.epochs} epochs of the 7,996 training digits${epochs ? ` (reduced from the main job's 30)` : ''}, evaluated on ${limit ? `the first ${limit}` : 'all 2,004'} test digits${seed ? `, seed ${seed}` : ''}`;
const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, ${platform()} ${release()}, Node ${process.versions.node}`;
const date = new Date().toISOString().slice(0, 10);
const cell = (r: Row) =>
  `| ${r.family.name} ([\`${r.family.file}\`](../examples/${r.family.file})${r.family.overrides ? `, ${r.family.overrides.map((o) => `\`${o}\``).join(' ')}` : ''}) | ${fmt(r.ev.iwae)} | ${fmt(r.ev.negElbo)} | ${r.ev.activeUnits} | ${r.epochSeconds.toFixed(1)} | ${budget(r)}; ${date} |`;
const marker = '<!-- model-zoo:table -->';
/** Writes the table with the rows so far (temp file, then rename): a run stopped part-way keeps the families it finished. */
function writeTable(): void {
  const previous = (() => {
    try {
      return readFileSync(out, 'utf8');
    } catch {
      return undefined;
    }
  })();
  // With --only, the other families' rows of an earlier run stay (each row says its own budget and date).
  const earlier = previous?.includes(marker) ? previous.split(marker)[1]!.split('\n') : [];
  const ordered = families
    .map((f) => {
      const r = rows.find((x) => x.family === f);
      return r ? cell(r) : earlier.find((line) => line.startsWith(`| ${f.name} ([`));
    })
    .filter((l): l is string => l !== undefined);
  const generated = [
    marker,
    '',
    `Machine: ${machine}.`,
    '',
    `| model | −log p(x), IWAE k = ${k} | −ELBO | active units | s / epoch | budget; date |`,
    '|---|---|---|---|---|---|',
    ...ordered,
    '',
    marker,
  ].join('\n');
  const text = previous?.includes(marker) ? `${previous.split(marker)[0]}${generated}${previous.split(marker)[2]}` : `# Model zoo\n\n${generated}\n`;
  writeFileSync(`${out}.tmp`, text);
  renameSync(`${out}.tmp`, out);
  console.log(`${out}: table written (${rows.length} new row${rows.length === 1 ? '' : 's'})`);
}

for (const family of families.filter((f) => !only || only.includes(f.id))) {
  const overrides = [
    ...(family.overrides ?? []),
    `eval.k=${k}`,
    `runs=${runs}`,
    'tracking.console=false',
    ...(epochs ? [`train.epochs=${epochs}`] : []),
    ...(limit ? [`eval.limit=${limit}`] : []),
    ...(seed ? [`seed=${seed}`] : []),
  ];
  const { config, registry, container } = await loadResolved(join(root, 'examples', family.file), overrides);
  const started = Date.now();
  const run = await trainRun({ config, registry, container, logger: new SilentLogger() });
  const ends = run.history.filter((p) => p.key === 'train/loss').map((p) => p.timestamp);
  const epochSeconds = ends.length > 1 ? (ends.at(-1)! - ends[0]!) / 1000 / (ends.length - 1) : (Date.now() - started) / 1000;
  rows.push({ family, ev: run.evaluation!, epochSeconds, epochs: config.train.epochs });
  writeTable();
  console.log(
    `${family.id}: −log p(x) ≈ ${run.evaluation!.iwae?.toFixed(2)}, −ELBO ${run.evaluation!.negElbo.toFixed(2)}, AU ${run.evaluation!.activeUnits}, ${epochSeconds.toFixed(1)} s/epoch (${run.runDir})`,
  );
}
