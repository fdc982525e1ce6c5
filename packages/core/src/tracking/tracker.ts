export type RunStatus = 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED';

export type ParamValue = string | number | boolean | null;

export interface MetricPoint {
  readonly key: string;
  readonly value: number;
  readonly step: number;
  /** Milliseconds since the epoch, set once when the value was produced (replays keep it). */
  readonly timestamp: number;
}

export interface RunInfo {
  readonly runId: string;
  readonly experiment: string;
  /** The run folder (absolute path); core always creates it. */
  readonly runDir: string;
  readonly startedAt: number;
  /** The resolved config, defaults filled in. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly tags: Readonly<Record<string, string>>;
}

export interface ResumeInfo {
  /** The metric history up to the checkpoint being resumed; later points are discarded. */
  readonly history: readonly MetricPoint[];
}

/** Live progress of the step loop, for progress bars. Cheap: called on the hot path. */
export interface Progress {
  readonly phase: 'train' | 'eval';
  readonly epoch: number;
  readonly epochs: number;
  readonly step: number;
  readonly stepInEpoch: number;
  readonly stepsPerEpoch: number;
  /** Latest values read back (they lag the step by up to the read-back interval). */
  readonly metrics: Readonly<Record<string, number>>;
}

/**
 * A destination for what a run produces. Several trackers run at once behind one TrackerHub; the
 * trainer talks only to the hub. Methods may be slow (network) and must not throw for transient
 * trouble the tracker can recover from; an error thrown here fails the run.
 */
export interface Tracker {
  readonly name: string;
  start(run: RunInfo, resume?: ResumeInfo): Promise<void>;
  logParams(params: Readonly<Record<string, ParamValue>>): Promise<void>;
  logMetrics(points: readonly MetricPoint[]): Promise<void>;
  /** `path` is relative to the run's artifact root (`samples.png`, `checkpoint/manifest-000000800.json`). */
  logArtifact(path: string, localFile: string): Promise<void>;
  progress?(p: Progress): void;
  /** A one-line human message (held-out metrics at the end, the backend line…). */
  message?(text: string): void;
  finish(status: RunStatus, error?: string): Promise<void>;
}
export const Tracker = Symbol('Tracker');
