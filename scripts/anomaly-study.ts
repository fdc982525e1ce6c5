/**
 * The per-class anomaly table of docs/uses.md, from the commands a user runs. For each held-out
 * digit class c: a VAE (examples/mnist-vae.yaml) trained without c (`data.exclude: [c]`), and its
 * background model for the likelihood ratio — the same VAE trained on the same digits perturbed by
 * salt-and-pepper noise (`data.corrupt: { name: salt-and-pepper, fraction, target: corrupted }`,
 * Ren et al. 2019). Then `elbo score` on the 2,004 held-out digits with every score, and the AUROC
 * of the score for telling c's digits (the anomalies) from the others; for the diagnosis also the
 * AUROC of −L(x), the PNG term of the complexity score alone, and the spread of both of its terms.
 *
 * The latent nearest-neighbour scores (`latent-knn` on μ, `posterior-knn` on μ and log σ: the 5th
 * nearest training code) need no background.
 *
 *   npx tsx scripts/anomaly-study.ts [--classes 0,1,…,9] [--epochs 30] [--k 20] [--fraction 0.2] [--latent 20] [--seed 1] [--scores neg-elbo,…] [--config examples/mnist-vae.yaml] [--runs runs/anomaly-study]
 *
 * It resumes: finished runs (`<runs>/class-<c>[-background]/<run-id>/`) and written score files are
 * reused, an interrupted run continues with `elbo train --resume`. On a shared machine run it under `nice`,
 * and mind autogroup scheduling (docs/disentanglement.md): `nice` alone yields only within one session.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { auroc, pngBits, scoreId, SCORE_KINDS, type ScoreKind } from '@elbo/uses';
import { loadMnist } from '@elbo/datasets';

const { values } = parseArgs({
  options: {
    classes: { type: 'string', default: '0,1,2,3,4,5,6,7,8,9' },
    epochs: { type: 'string', default: '30' },
    k: { type: 'string', default: '20' },
    fraction: { type: 'string', default: '0.2' },
    // The latent size of both models (the main job's 20 by default; give another --runs with it).
    latent: { type: 'string', default: '20' },
    // The models' training seed (give another --runs with it), and the scores to compute.
    seed: { type: 'string', default: '1' },
    scores: { type: 'string', default: 'neg-elbo,iwae,recon,complexity,likelihood-ratio,latent-knn,posterior-knn' },
    // The model both runs train (the MLP of the main job; examples/mnist-conv-vae.yaml for the conv
    // encoder), and where the runs go: give another --runs with another config.
    config: { type: 'string', default: 'examples/mnist-vae.yaml' },
    runs: { type: 'string', default: 'runs/anomaly-study' },
  },
});
const classes = values.classes.split(',').map(Number);
const [epochs, k, fraction, runs] = [Number(values.epochs), Number(values.k), Number(values.fraction), values.runs];
const SCORES = values.scores.split(',') as ScoreKind[];
const unknown = SCORES.filter((s) => !SCORE_KINDS.includes(s));
if (unknown.length) throw new Error(`--scores: unknown ${unknown.join(', ')} (scores: ${SCORE_KINDS.join(', ')})`);
mkdirSync(runs, { recursive: true });

function elbo(args: string[]): string {
  return execFileSync('npx', ['elbo', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n')
    .at(-1)!;
}

/** The run `key` (experiment folder `<runs>/<key>/`): reused when finished, resumed when interrupted, else trained. */
function trained(key: string, sets: string[]): string {
  const dir = join(runs, key);
  const last = existsSync(dir) ? readdirSync(dir).sort().at(-1) : undefined;
  const run = last ? resolve(dir, last) : undefined;
  const status = run && existsSync(join(run, 'status.json')) ? (JSON.parse(readFileSync(join(run, 'status.json'), 'utf8')) as { status: string }).status : undefined;
  if (run && status === 'FINISHED') return run;
  if (run && existsSync(join(run, 'checkpoint'))) {
    console.error(`${key}: resuming ${run}`);
    return elbo(['train', '--resume', run]);
  }
  console.error(`${key}: training`);
  const common = [`runs=${runs}`, `experiment=${key}`, `train.epochs=${epochs}`, `model.latent=${values.latent}`, `seed=${values.seed}`, 'eval.k=0', 'tracking.console=false'];
  return elbo(['train', values.config, ...[...common, ...sets].flatMap((v) => ['--set', v])]);
}

function readScores(file: string, column: string): { scores: number[]; labels: number[] } {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const cols = header!.split(',');
  const [li, si] = [cols.indexOf('label'), cols.indexOf(column)];
  const rows = lines.map((l) => l.split(','));
  return { scores: rows.map((r) => Number(r[si])), labels: rows.map((r) => Number(r[li])) };
}

// The complexity term alone, for the diagnosis: L(x) of the held-out digits as the runs see them
// (binarised once with the fixed held-out seed), and its spread against that of −log₂ p̂(x).
const test = (await loadMnist({ binarize: 'dynamic' })).test;
const testRows = new Float32Array(test.size * test.dim);
test.read(
  Int32Array.from({ length: test.size }, (_, i) => i),
  testRows,
);
const L = pngBits(testRows, [28, 28, 1]);
const sd = (v: ArrayLike<number>) => {
  const a = Array.from(v);
  const m = a.reduce((x, y) => x + y, 0) / a.length;
  return Math.sqrt(a.reduce((x, y) => x + (y - m) ** 2, 0) / (a.length - 1));
};
const table: string[] = [];
const spreads: string[] = [];
for (const c of classes) {
  const fg = trained(`class-${c}`, [`data.exclude=[${c}]`]);
  const bg = SCORES.includes('likelihood-ratio')
    ? trained(`class-${c}-background`, [`data.exclude=[${c}]`, `data.corrupt={name: salt-and-pepper, fraction: ${fraction}, target: corrupted}`])
    : undefined;
  const cells: string[] = [];
  for (const score of SCORES) {
    const out = join(runs, `scores-${c}-${score}.csv`);
    const id = scoreId(score, k);
    if (!existsSync(out))
      elbo(['score', fg, '--input', 'test', '--score', score, '--k', String(k), '--out', out, ...(bg && score === 'likelihood-ratio' ? ['--background', bg] : [])]);
    const { scores, labels } = readScores(out, id);
    cells.push(
      auroc(
        scores,
        labels.map((l) => l === c),
      ).toFixed(3),
    );
    if (score === 'iwae') spreads.push(`class ${c}: sd of −log₂ p̂(x) ${sd(scores.map((v) => v / Math.LN2)).toFixed(0)} bits, sd of L(x) ${sd(L).toFixed(0)} bits`);
  }
  cells.push(
    auroc(
      Array.from(L, (v) => -v),
      Array.from(test.labels!, (l) => l === c),
    ).toFixed(3),
  );
  table.push(`| ${c} | ${cells.join(' | ')} |`);
  console.error(table.at(-1));
}
console.log(
  `AUROC of each score for the held-out class against the other classes, 2,004 held-out embedded MNIST digits; VAE of ${values.config}, ${epochs} epochs, seed ${values.seed}, IWAE k = ${k}, background: salt-and-pepper ${fraction}; ${cpus().length}-core ${cpus()[0]?.model.trim()}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
);
console.log(`| held-out class | ${SCORES.join(' | ')} | −L(x) alone |`);
console.log(`|---:|${SCORES.map(() => '---:').join('|')}|---:|`);
for (const r of table) console.log(r);
if (spreads.length) console.log(`Spread of the two terms of the complexity score over the held-out digits: ${spreads.join('; ')}`);
