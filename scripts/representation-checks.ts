/**
 * What the disentanglement metrics read, for trained dSprites runs (the study's "why" checks): per
 * run, MIG with disentanglement_lib's estimator (histogram of the mean codes, every factor) and with
 * Chen et al.'s (entropies of q(z|x), `shape` left out, as the β-TCVAE paper measures it), each with
 * its per-factor gaps, and the Gaussian total correlation of the mean code (what the metrics read)
 * and of one sampled code z ~ q(z|x) (what the TC penalties of FactorVAE and β-TCVAE act on;
 * Locatello et al. 2019 report both). 10,000 examples each, seeded: the same run gives the same row.
 *
 *   npx tsx scripts/representation-checks.ts <run-dir> [<run-dir> …]
 */
import { groundTruthData, modelRepresentation, openRun, RandomStream, SilentLogger } from '@elbo/core';
import { gaussianTotalCorrelation, mig } from '@elbo/models-disentangled';
import { setup } from '@elbo/runner';

const dirs = process.argv.slice(2);
if (!dirs.length) throw new Error('usage: npx tsx scripts/representation-checks.ts <run-dir> [<run-dir> …]');
const { container, registry } = await setup();
const f = (v: number | undefined) => (v ?? NaN).toFixed(3);
const gaps = (s: Record<string, number>, names: readonly string[]) => names.map((n) => (s[`mig_${n}`] === undefined ? '–' : f(s[`mig_${n}`]))).join(' / ');
let header = false;
for (const dir of dirs) {
  const t0 = performance.now();
  const run = await openRun(dir, { container, registry, logger: new SilentLogger() });
  try {
    const data = groundTruthData(run.dataset.train);
    const names = data.factors.names.filter((_, k) => data.factors.sizes[k]! > 1);
    const rep = modelRepresentation(run.model);
    const stream = (what: string) => new RandomStream(`representation-checks/${what}`, 1);
    const histogram = await mig(rep, data, stream('mig'));
    const chen = await mig(rep, data, stream('mig-chen'), { estimator: 'chen' });
    const tcMean = await gaussianTotalCorrelation(rep, data, stream('tc'));
    const tcSampled = await gaussianTotalCorrelation(rep, data, stream('tc-sampled'), { representation: 'sampled' });
    if (!header) {
      console.log(`| run | MIG (histogram) | per factor: ${names.join(' / ')} | MIG (Chen et al.) | per factor | TC of the mean code | TC of a sampled code |`);
      console.log('|---|---:|---|---:|---|---:|---:|');
      header = true;
    }
    console.log(
      `| ${dir} | ${f(histogram.mig)} | ${gaps(histogram, names)} | ${f(chen.mig)} | ${gaps(chen, names)} | ${f(tcMean.gaussian_total_correlation)} (${tcMean.num_dims} dims) | ${f(tcSampled.gaussian_total_correlation)} |`,
    );
    console.error(`${dir}: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  } finally {
    run.dispose();
  }
}
