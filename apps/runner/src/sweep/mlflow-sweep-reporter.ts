import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Logger } from '@elbo/core';
import { artifactRoot, gitCommit, mlflowOptionsSchema, MlflowClient, MlflowHttp, resolveMlflowSettings, type MlflowSettings } from '@elbo/trackers';
import type { SweepFolder } from './sweep-folder.js';
import type { ReporterStart, SweepInfo, SweepOutcome, SweepReporter } from './sweep-reporter.js';
import type { SweepSummary } from './sweep-summary.js';

/** What state.json keeps of the parent run, to reuse it when the same sweep runs again. */
interface SavedParent {
  readonly trackingUri: string;
  readonly runId: string;
}

const isSaved = (v: unknown): v is SavedParent =>
  typeof v === 'object' && v !== null && typeof (v as SavedParent).runId === 'string' && typeof (v as SavedParent).trackingUri === 'string';

function user(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return process.env['USER'];
  }
}

/**
 * The sweep as one MLflow parent run: created when the sweep starts (or reused from state.json when
 * the same sweep runs again), its id handed to every trial as `tracking.mlflow.parentRunId` so the
 * trials are its nested runs; at the end it gets `summary.csv` / `summary.png` as artifacts, the best
 * trial's value of the sweep's metric as a metric, and the sweep's outcome as its status.
 */
export class MlflowSweepReporter implements SweepReporter {
  readonly name = 'mlflow';
  private readonly settings: MlflowSettings;
  private readonly client: MlflowClient;
  private runId: string | undefined;
  private artifactUri = '';

  /**
   * `options`: the resolved base config's `tracking.mlflow`; `experiment`: its `experiment` (the
   * MLflow experiment when the options name none). Throws ConfigError without a tracking URI.
   */
  constructor(
    options: unknown,
    private readonly experiment: string,
    private readonly folder: SweepFolder,
    private readonly logger: Logger,
  ) {
    const { name: _name, ...rest } = (options ?? {}) as Record<string, unknown>;
    this.settings = resolveMlflowSettings(mlflowOptionsSchema.parse(rest));
    this.client = new MlflowClient(new MlflowHttp(this.settings, { onRetry: (e, ms) => logger.debug(`mlflow: ${e.message}; retrying in ${(ms / 1000).toFixed(1)} s`) }));
  }

  async begin(sweep: SweepInfo, saved: unknown): Promise<ReporterStart> {
    const { settings, client } = this;
    try {
      if (isSaved(saved) && saved.trackingUri === settings.trackingUri) {
        const run = await client.getRun(saved.runId);
        if (run && run.info.lifecycle_stage !== 'deleted') {
          this.runId = run.info.run_id;
          this.artifactUri = run.info.artifact_uri ?? '';
          await client.updateRun(this.runId, 'RUNNING', undefined);
        }
      }
      if (!this.runId) {
        const experiment = await client.resolveExperiment(settings.experiment ?? { name: this.experiment });
        const tags: Record<string, string | undefined> = {
          'mlflow.runName': sweep.name,
          'mlflow.user': user(),
          'mlflow.source.name': sweep.file,
          'mlflow.source.type': 'LOCAL',
          'mlflow.source.git.commit': gitCommit(),
          'mlflow.parentRunId': settings.parentRunId,
          'elbo.sweep': sweep.name,
          'elbo.sweep.metric': `${sweep.metric.name} (${sweep.metric.goal})`,
          'elbo.sweep.trials': String(sweep.trials.length),
          ...settings.tags,
        };
        const info = await client.createRun({
          experimentId: experiment.experiment_id,
          startTime: Date.now(),
          runName: sweep.name,
          tags: Object.entries(tags).flatMap(([key, value]) => (value ? [{ key, value }] : [])),
        });
        this.runId = info.run_id;
        this.artifactUri = info.artifact_uri ?? '';
      }
    } catch (e) {
      throw new Error(`sweep: cannot create the MLflow parent run at ${settings.trackingUri}: ${this.client.http.redact((e as Error).message)}`);
    }
    this.logger.info(`mlflow: sweep parent run ${this.runId} — ${settings.trackingUri}`);
    return { trialSettings: { 'tracking.mlflow.parentRunId': this.runId }, save: { trackingUri: settings.trackingUri, runId: this.runId } satisfies SavedParent };
  }

  async end(summary: SweepSummary, outcome: SweepOutcome): Promise<void> {
    const runId = this.runId;
    if (!runId) return;
    const { client } = this;
    try {
      const now = Date.now();
      if (summary.best?.value !== undefined) {
        await client.logBatch(runId, {
          metrics: [{ key: summary.metric.name, value: summary.best.value, timestamp: now, step: 0 }],
          params: [],
          tags: [{ key: 'elbo.sweep.best_trial', value: summary.best.record.hash }],
        });
      }
      if (this.settings.artifacts) {
        const root = artifactRoot(this.artifactUri, this.settings.trackingUri);
        for (const [path, file] of [
          ['summary.csv', this.folder.csvFile],
          ['summary.png', this.folder.plotFile],
        ] as const) {
          if (existsSync(file)) await client.uploadArtifact(root, path, file);
        }
      }
      await client.updateRun(runId, outcome, Date.now());
    } catch (e) {
      this.logger.warn(`mlflow: the sweep's parent run ${runId} was not completed: ${client.http.redact((e as Error).message)}`);
      await client.updateRun(runId, 'FAILED', Date.now()).catch(() => undefined);
    } finally {
      await client.http.close();
    }
  }
}
