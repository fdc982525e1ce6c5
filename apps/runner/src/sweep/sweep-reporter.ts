import type { TrialRecord } from './sweep-folder.js';
import type { SweepMetric, SweepSummary } from './sweep-summary.js';

/** What a reporter learns when the sweep starts. */
export interface SweepInfo {
  readonly name: string;
  /** The sweep folder. */
  readonly dir: string;
  readonly file: string;
  readonly metric: SweepMetric;
  readonly trials: readonly TrialRecord[];
}

/** What a reporter may ask for when the sweep starts. */
export interface ReporterStart {
  /**
   * Config values every trial gets, by config path — e.g. `{ 'tracking.mlflow.parentRunId': id }`
   * so that each trial's MLflow run is a child of the sweep's. They are not part of a trial's
   * identity (its hash).
   */
  readonly trialSettings?: Readonly<Record<string, unknown>>;
  /** Kept in state.json and handed back as `saved` when the same sweep runs again (to reuse a parent run). */
  readonly save?: unknown;
}

/** How the sweep ended: every trial FINISHED, some FAILED, or interrupted (KILLED). */
export type SweepOutcome = 'FINISHED' | 'FAILED' | 'KILLED';

/**
 * Somewhere a sweep's progress and results go: the sweep folder and the console (FolderReporter),
 * an MLflow parent run, … Reporters read the trials' results from the summary (built from the run
 * folders) and never change them.
 */
export interface SweepReporter {
  /** Key of its saved state in state.json. */
  readonly name: string;
  begin?(sweep: SweepInfo, saved: unknown): Promise<ReporterStart | void>;
  trialEnded?(trial: TrialRecord): Promise<void>;
  end(summary: SweepSummary, outcome: SweepOutcome): Promise<void>;
}
