import yargs from 'yargs';
import { report } from './errors.js';
import { train } from './commands/train.js';
import { validateCommand } from './commands/validate.js';
import { evalCommand } from './commands/eval.js';
import { sampleCommand } from './commands/sample.js';
import { componentsCommand } from './commands/components.js';
import { doctorCommand } from './commands/doctor.js';
import { syncCommand } from './commands/sync.js';
import { MAP_METHODS, SCORE_KINDS, type MapMethod, type ScoreKind } from '@elbo/uses';
import { scoreCommand } from './commands/score.js';
import { calibrateCommand } from './commands/calibrate.js';
import { encodeCommand } from './commands/encode.js';
import { denoiseCommand } from './commands/denoise.js';
import { latentMapCommand } from './commands/latent-map.js';
import { sweepCommand } from './commands/sweep.js';
import { workerCommand } from './commands/worker.js';
import { backendCommand } from './commands/backend.js';
import { schemaCommand } from './commands/schema.js';
import { newPluginCommand } from './commands/new-plugin.js';
import { PLUGIN_KINDS, type PluginKind } from './new-plugin/plugin-names.js';
import { versionCommand } from './commands/version.js';
import { runsCommand } from './commands/runs.js';
import { compareCommand } from './commands/compare.js';
import { plotCommand } from './commands/plot.js';
import { exportWebCommand } from './commands/export-web.js';
import { exploreCommand } from './commands/explore.js';

type Handler = () => Promise<number>;

/** Parses the command line and runs one command; resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  let run: Handler | undefined;
  // `elbo --version` is `elbo version` (yargs' own --version prints the package version only).
  const parser = yargs(argv.length === 1 && argv[0] === '--version' ? ['version'] : [...argv])
    .scriptName('elbo')
    .usage('$0 <command> [options]\n\nBuild, train, compare and track variational autoencoders.')
    .command(
      'train [config]',
      'train a model from a config file (YAML or JSON)',
      (y) =>
        y
          .positional('config', { type: 'string', describe: 'config file, e.g. examples/mnist-vae.yaml' })
          .option('set', { type: 'string', array: true, default: [] as string[], describe: 'override a config value: --set optimizer.lr=3e-4 (repeatable)' })
          .option('resume', { type: 'string', describe: 'continue the run in this folder from its last checkpoint' })
          .option('from-previous', { type: 'boolean', default: false, describe: 'with --resume: start from the checkpoint before the last one (the last is corrupted)' })
          .option('continue-from', {
            type: 'string',
            describe: 'a new run from this run’s config and last checkpoint, trained on to --set train.epochs=N (a finished run trained longer; the run itself is kept)',
          })
          .option('until-epoch', { type: 'number', describe: 'stop once this epoch has ended, resumable with --resume (how a sweep scheduler trains a trial to a rung)' })
          .option('multirun', {
            type: 'boolean',
            default: false,
            describe: 'a grid sweep of every --set comma list (--set model.latent=8,16 --set seed=1,2: 4 trials), run as elbo sweep runs one',
          })
          .option('workers', { type: 'number', describe: 'with --multirun: trials at a time (the local executor’s workers)' })
          .option('metric', { type: 'string', describe: 'with --multirun: the metric the trials are compared by (default final/neg_elbo)' })
          .option('goal', { choices: ['minimize', 'maximize'] as const, describe: 'with --multirun: the metric’s goal (default minimize)' }),
      (a) => {
        run = () =>
          train({
            config: a.config,
            set: a.set as string[],
            resume: a.resume,
            fromPrevious: a.fromPrevious,
            ...(a.continueFrom !== undefined ? { continueFrom: a.continueFrom } : {}),
            ...(a.untilEpoch !== undefined ? { untilEpoch: a.untilEpoch } : {}),
            multirun: a.multirun,
            workers: a.workers,
            metric: a.metric,
            goal: a.goal,
          });
      },
    )
    .command(
      'worker',
      'run the trials of sweeps with executor bullmq on this host: take jobs from a Redis queue, train each trial, report back',
      (y) =>
        y
          .option('redis', { type: 'string', describe: 'Redis URL, redis://[:password@]host:6379[/db] (default: $ELBO_REDIS_URL, which keeps a password off the command line)' })
          .option('queue', { type: 'string', default: 'elbo', describe: 'the queue the sweep enqueues into (its executor.queue)' })
          .option('concurrency', { type: 'number', default: 1, describe: 'trials this host runs at once' })
          .option('runs', { type: 'string', default: 'runs', describe: 'the runs folder, shared storage at the same path on every host: checked writable at start' })
          .option('stalled-seconds', { type: 'number', default: 30, describe: 'a job whose worker stops renewing its lock for this long is taken by another worker' }),
      (a) => {
        run = () =>
          workerCommand({ ...(a.redis !== undefined ? { redis: a.redis } : {}), queue: a.queue, concurrency: a.concurrency, runs: a.runs, stalledSeconds: a.stalledSeconds });
      },
    )
    .command(
      'eval <run-dir>',
      'evaluate a trained run on its held-out split (negative ELBO, IWAE with k samples, active units)',
      (y) =>
        y
          .positional('run-dir', { type: 'string', demandOption: true })
          .option('k', { type: 'number', default: 5000, describe: 'importance samples for the IWAE estimate of −log p(x)' })
          .option('limit', { type: 'number', describe: 'evaluate the first N test examples only' })
          .option('backend', { choices: ['auto', 'node', 'wasm', 'cpu'] as const, describe: 'override the run’s backend' })
          .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' })
          .option('metrics', {
            type: 'string',
            describe: 'disentanglement metrics to compute, comma-separated: betavae, factorvae, mig, sap, dci, gaussian-tc (options from the config’s eval.metrics.<name>)',
          }),
      (a) => {
        const metrics = (a.metrics ?? '')
          .split(',')
          .map((m) => m.trim())
          .filter(Boolean);
        run = () => evalCommand({ runDir: a.runDir as string, k: a.k, limit: a.limit, backend: a.backend, json: a.json, metrics });
      },
    )
    .command(
      'sample <run-dir>',
      'draw samples from a trained model’s prior and save them as a PNG grid',
      (y) =>
        y
          .positional('run-dir', { type: 'string', demandOption: true })
          .option('n', { type: 'number', default: 64, describe: 'number of samples' })
          .option('out', { type: 'string', describe: 'PNG file to write (default: <run-dir>/artifacts/samples-<n>-seed<seed>.png, beside the run’s own figures)' })
          .option('seed', { type: 'number', default: 0 })
          .option('cols', { type: 'number', describe: 'images per row (default: √n; 10 z per class with --grid-by-condition)' })
          .option('condition', {
            type: 'string',
            array: true,
            describe: 'conditional models: what to generate — a class label (7) or a vector (0.1,0,1); one for all, or one per sample',
          })
          .option('grid-by-condition', { type: 'boolean', default: false, describe: 'conditional models: one row per class, each column one z held fixed across the classes' }),
      (a) => {
        run = () =>
          sampleCommand({ runDir: a.runDir as string, n: a.n, out: a.out, seed: a.seed, cols: a.cols, condition: a.condition?.map(String), gridByCondition: a.gridByCondition });
      },
    )
    .command(
      'runs',
      'list the run folders under a runs folder: status, the params that differ between them, the last held-out metrics (test/*, final/*)',
      (y) =>
        y
          .option('runs', { type: 'string', default: 'runs', describe: 'the runs folder (runs/<experiment>/<run-id>/)' })
          .option('experiment', { type: 'string', describe: 'only the runs of this experiment' })
          .option('where', {
            type: 'string',
            array: true,
            default: [] as string[],
            describe: "keep runs where '<key> <op> <number>' holds (op: < <= > >= == !=; key: a test/* or final/* metric, or a numeric param); repeatable, all must hold",
          })
          .option('sort', { type: 'string', describe: 'sort by this metric or numeric param, ascending' })
          .option('csv', { type: 'boolean', default: false, describe: 'print CSV (exact values, every listed param, the run folder)' }),
      (a) => {
        run = () => runsCommand({ runs: a.runs, experiment: a.experiment, where: a.where as string[], sort: a.sort, csv: a.csv });
      },
    )
    .command(
      'compare <run-dirs..>',
      'compare runs: the params that differ, the final metrics side by side, a metric’s curves overlaid (PNG)',
      (y) =>
        y
          .positional('run-dirs', { type: 'string', array: true, demandOption: true })
          .option('metric', { type: 'string', default: 'test/neg_elbo', describe: 'the metric whose curves are overlaid' })
          .option('out', { type: 'string', default: 'elbo-compare.png', describe: 'PNG file to write' }),
      (a) => {
        run = () => compareCommand({ runDirs: (a.runDirs as string[]).map(String), metric: a.metric, out: a.out });
      },
    )
    .command(
      'plot <run-dirs..>',
      'overlay one metric of several runs against the epoch (legend: the run names) as a PNG',
      (y) =>
        y
          .positional('run-dirs', { type: 'string', array: true, demandOption: true })
          .option('metric', { type: 'string', default: 'test/neg_elbo', describe: 'the metric to draw (a key of metrics.jsonl)' })
          .option('out', { type: 'string', default: 'elbo-plot.png', describe: 'PNG file to write' }),
      (a) => {
        run = () => plotCommand({ runDirs: (a.runDirs as string[]).map(String), metric: a.metric, out: a.out });
      },
    )
    .command(
      'sweep <file>',
      'run a sweep: every trial of a grid and/or seeded random search as its own run, compared by a metric',
      (y) =>
        y
          .positional('file', { type: 'string', demandOption: true, describe: 'sweep file, e.g. examples/sweep-beta.yaml' })
          .option('workers', { type: 'number', describe: 'trials that run at once (overrides the executor’s workers option)' })
          .option('dry-run', { type: 'boolean', default: false, describe: 'list the expanded trials and what a run would do with each; run nothing' })
          .option('set', { type: 'string', array: true, default: [] as string[], describe: 'override a config value in every trial: --set train.epochs=1 (repeatable)' }),
      (a) => {
        run = () => sweepCommand({ file: a.file as string, workers: a.workers, dryRun: a.dryRun, set: a.set as string[] });
      },
    )
    .command(
      'score <run-dir>',
      'anomaly score of every input row (negative ELBO, IWAE −log p(x), reconstruction error, complexity-corrected, likelihood-ratio or latent nearest-neighbour) as CSV',
      (y) =>
        y
          .positional('run-dir', { type: 'string', demandOption: true })
          .option('input', { type: 'string', default: 'test', describe: 'train | test (the run’s splits), a folder of PNG images, or a .csv of feature rows' })
          .option('out', { type: 'string', default: 'scores.csv', describe: 'CSV file to write' })
          .option('score', {
            choices: SCORE_KINDS,
            default: 'neg-elbo' as ScoreKind,
            describe:
              'neg-elbo: −ELBO (1 sample); iwae: −log p̂(x) with k samples; recon: squared reconstruction error; complexity: −log₂ p̂(x) minus the PNG size in bits (Serrà et al. 2020); likelihood-ratio: −log p̂(x) + log p̂_background(x) (Ren et al. 2019); latent-knn: cosine distance from μ(x) to its k-th nearest training code (Sun et al. 2022); posterior-knn: the same on (μ(x), log σ(x))',
          })
          .option('k', { type: 'number', default: 100, describe: 'importance samples for --score iwae, complexity and likelihood-ratio' })
          .option('background', { type: 'string', describe: 'with --score likelihood-ratio: the background run (trained on perturbed data)' })
          .option('neighbours', { type: 'number', describe: 'with --score latent-knn or posterior-knn: the k of the k-th nearest training code (default 5)' })
          .option('limit', { type: 'number', describe: 'score the first N rows only' }),
      (a) => {
        run = () =>
          scoreCommand({ runDir: a.runDir as string, input: a.input, out: a.out, score: a.score, k: a.k, background: a.background, neighbours: a.neighbours, limit: a.limit });
      },
    )
    .command(
      'calibrate <run-dir>',
      'store an anomaly threshold with the run for a target false-positive rate on held-out normal rows',
      (y) =>
        y
          .positional('run-dir', { type: 'string', demandOption: true })
          .option('fpr', { type: 'number', default: 0.05, describe: 'share of normal rows the threshold may flag' })
          .option('input', { type: 'string', default: 'test', describe: 'held-out NORMAL rows: test, a folder of PNG images, or a .csv' })
          .option('score', { choices: SCORE_KINDS, default: 'neg-elbo' as ScoreKind, describe: 'the score the threshold is for (as in elbo score)' })
          .option('k', { type: 'number', default: 100, describe: 'importance samples for --score iwae, complexity and likelihood-ratio' })
          .option('background', { type: 'string', describe: 'with --score likelihood-ratio: the background run (trained on perturbed data)' })
          .option('neighbours', { type: 'number', describe: 'with --score latent-knn or posterior-knn: the k of the k-th nearest training code (default 5)' })
          .option('limit', { type: 'number', describe: 'use the first N rows only' }),
      (a) => {
        run = () =>
          calibrateCommand({ runDir: a.runDir as string, fpr: a.fpr, input: a.input, score: a.score, k: a.k, background: a.background, neighbours: a.neighbours, limit: a.limit });
      },
    )
    .command(
      'encode <run-dir>',
      'μ and σ of q(z|x) for every input row (+ label) as CSV: latent features',
      (y) =>
        y
          .positional('run-dir', { type: 'string', demandOption: true })
          .option('input', { type: 'string', default: 'test', describe: 'train | test, a folder of PNG images, or a .csv of feature rows' })
          .option('out', { type: 'string', default: 'latents.csv', describe: 'CSV file to write' })
          .option('limit', { type: 'number', describe: 'encode the first N rows only' }),
      (a) => {
        run = () => encodeCommand({ runDir: a.runDir as string, input: a.input, out: a.out, limit: a.limit });
      },
    )
    .command(
      'denoise <run-dir>',
      'reconstruct (denoise) input rows: a folder of PNGs to a folder of PNGs, or rows to a .csv',
      (y) =>
        y
          .positional('run-dir', { type: 'string', demandOption: true })
          .option('input', { type: 'string', demandOption: true, describe: 'a folder of PNG images, a .csv of feature rows, or train | test' })
          .option('out', { type: 'string', demandOption: true, describe: 'folder for the PNGs, or a .csv file' })
          .option('limit', { type: 'number', describe: 'the first N rows only' }),
      (a) => {
        run = () => denoiseCommand({ runDir: a.runDir as string, input: a.input, out: a.out, limit: a.limit });
      },
    )
    .command(
      'latent-map <run-dir>',
      'a 2-D map of the rows’ latent means (the latent itself when 2-D, else PCA), coloured by label',
      (y) =>
        y
          .positional('run-dir', { type: 'string', demandOption: true })
          .option('out', { type: 'string', default: 'latent-map.png', describe: 'PNG (or .svg) file to write' })
          .option('input', { type: 'string', default: 'test', describe: 'train | test, a folder of PNG images, or a .csv of feature rows' })
          .option('method', {
            choices: MAP_METHODS,
            default: 'auto' as MapMethod,
            describe: 'auto: the latent itself when 2-D, else PCA; umap: UMAP embedding (slower, keeps neighbourhoods)',
          })
          .option('seed', { type: 'number', default: 0, describe: 'seed of the UMAP layout' })
          .option('limit', { type: 'number', describe: 'map the first N rows only' }),
      (a) => {
        run = () => latentMapCommand({ runDir: a.runDir as string, out: a.out, input: a.input, method: a.method, seed: a.seed, limit: a.limit });
      },
    )
    .command(
      'export-web <run-dir>',
      'a finished run as a static web site that decodes its latent space in the browser (sliders, latent map, prior samples)',
      (y) =>
        y
          .positional('run-dir', { type: 'string', demandOption: true })
          .option('out', { type: 'string', default: 'site', describe: 'folder to write the site into' })
          .option('map-rows', { type: 'number', default: 500, describe: 'test rows on the latent map' })
          .option('method', { choices: MAP_METHODS, default: 'auto' as MapMethod, describe: 'the latent map: auto (the latent itself when 2-D, else PCA), latent, pca or umap' }),
      (a) => {
        run = () => exportWebCommand({ runDir: a.runDir as string, out: a.out, mapRows: a.mapRows, method: a.method as MapMethod });
      },
    )
    .command(
      'explore <run-dir>',
      'serve the run’s web site on 127.0.0.1 and print its URL (Ctrl-C stops)',
      (y) =>
        y
          .positional('run-dir', { type: 'string', demandOption: true })
          .option('port', { type: 'number', default: 0, describe: 'port (0: any free port)' })
          .option('open', { type: 'boolean', default: false, describe: 'open the page in the desktop browser' })
          .option('map-rows', { type: 'number', default: 500, describe: 'test rows on the latent map' })
          .option('method', { choices: MAP_METHODS, default: 'auto' as MapMethod, describe: 'the latent map: auto (the latent itself when 2-D, else PCA), latent, pca or umap' }),
      (a) => {
        run = () => exploreCommand({ runDir: a.runDir as string, port: a.port, open: a.open, mapRows: a.mapRows, method: a.method as MapMethod });
      },
    )
    .command(
      'sync <run-dir>',
      'send what a run’s MLflow spool still holds to its MLflow run (a run that ended while the server was away)',
      (y) =>
        y
          .positional('run-dir', { type: 'string', demandOption: true })
          .option('full', { type: 'boolean', default: false, describe: 'replay every event, not only those the server has not acknowledged (idempotent)' }),
      (a) => {
        run = () => syncCommand({ runDir: a.runDir as string, full: a.full });
      },
    )
    .command(
      'components',
      'list every registered component with its options and defaults',
      (y) =>
        y
          .option('kind', { type: 'string', describe: 'only this kind (encoder, decoder, prior, likelihood, divergence, schedule, dataset, tracker)' })
          .option('markdown', { type: 'boolean', default: false, describe: 'print the reference as Markdown' })
          .option('plugin', { type: 'string', array: true, default: [] as string[], describe: 'also load this plugin package' }),
      (a) => {
        run = () => componentsCommand({ kind: a.kind, markdown: a.markdown, plugin: a.plugin as string[] });
      },
    )
    .command(
      'validate <config>',
      'check a config completely and print it resolved, with every default',
      (y) => y.positional('config', { type: 'string', demandOption: true }).option('set', { type: 'string', array: true, default: [] as string[] }),
      (a) => {
        run = () => validateCommand({ config: a.config as string, set: a.set as string[] });
      },
    )
    .command(
      'schema',
      'print the JSON Schema of a run config (its fields, every registered component and its options), for editors',
      (y) =>
        y
          .option('out', { type: 'string', describe: 'write it to this file (e.g. elbo.schema.json) instead of stdout' })
          .option('plugin', { type: 'string', array: true, default: [] as string[], describe: 'also cover this plugin package (repeatable)' }),
      (a) => {
        run = () => schemaCommand({ out: a.out, plugin: a.plugin as string[] });
      },
    )
    .command(
      'new <what> <name>',
      'start a plugin package: `elbo new plugin <name>` writes one component of --kind, its spec and README, and adds it to the workspace',
      (y) =>
        y
          .positional('what', { choices: ['plugin'] as const, demandOption: true })
          .positional('name', { type: 'string', demandOption: true, describe: 'package name: beta-kl (→ @elbo/beta-kl) or @scope/name' })
          .option('dir', { type: 'string', default: 'packages', describe: 'folder the package folder is created in' })
          .option('kind', { choices: PLUGIN_KINDS, default: 'divergence' as PluginKind, describe: 'kind of the component it starts with' }),
      (a) => {
        run = () => newPluginCommand({ name: a.name as string, dir: a.dir, kind: a.kind });
      },
    )
    .command(
      'doctor',
      'which compute backends load here, which one `backend: auto` chooses and why, versions, CPU and threads',
      (y) => y.option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' }),
      (a) => {
        run = () => doctorCommand({ json: a.json });
      },
    )
    .command(
      'backend <target>',
      'provision a compute backend: `native` builds TensorFlow’s binding from LIBTENSORFLOW_DIR, a TFJS_NODE_BASE_URI / TFJS_NODE_CDN_STORAGE mirror, or the TensorFlow CPU wheel on PyPI',
      (y) =>
        y
          .positional('target', { choices: ['native'] as const, demandOption: true })
          .option('tensorflow', { type: 'string', describe: 'TensorFlow wheel version for the PyPI route, or "latest" (default: the verified 2.21.0)' })
          .option('cache', { type: 'string', describe: 'download and library cache (default ~/.cache/elbo/native)' })
          .option('measure', {
            type: 'boolean',
            default: false,
            describe: 'only measure the step modes again (eager, graph, XLA) on the provisioned binding and record which `train.compile: auto` runs',
          }),
      (a) => {
        run = () => backendCommand({ target: a.target, tensorflow: a.tensorflow, cache: a.cache, measure: a.measure });
      },
    )
    .command(
      'version',
      'print the versions of ELBO, TensorFlow.js and Node.js, and the backend `backend: auto` chooses here and why (also: elbo --version)',
      () => {},
      () => {
        run = () => versionCommand();
      },
    )
    .demandCommand(1, 'give a command (elbo --help lists them)')
    .strict()
    .recommendCommands()
    .help()
    .version(false)
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
  try {
    await parser.parseAsync();
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`error: ${e.message}\n(elbo --help lists the commands and options)\n`);
      return 2;
    }
    return report(e);
  }
  if (!run) return 0; // --help
  try {
    return await run();
  } catch (e) {
    return report(e);
  }
}

class UsageError extends Error {}
