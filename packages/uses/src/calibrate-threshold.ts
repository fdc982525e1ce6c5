/** A decision threshold on an anomaly score: flag a row when its score is above `threshold`. */
export interface Calibration {
  readonly threshold: number;
  /** The false-positive rate asked for. */
  readonly fpr: number;
  /** The fraction of the calibration scores above the threshold (≤ fpr; less when scores tie). */
  readonly achievedFpr: number;
  /** Calibration scores used. */
  readonly n: number;
}

/**
 * Threshold for a target false-positive rate from scores of held-out NORMAL data (empirical
 * quantile, no distributional assumption): with m = ⌊fpr·n⌋ normal rows allowed above it, the
 * threshold is the (n − m)-th smallest score, so at most m calibration scores exceed it. The rate
 * on new normal data is fpr up to sampling error (±√(fpr(1−fpr)/n)); calibrate on rows the model
 * was not trained on, or the threshold is too low.
 */
export function calibrateThreshold(normalScores: ArrayLike<number>, fpr: number): Calibration {
  const n = normalScores.length;
  if (!(fpr > 0 && fpr < 1)) throw new RangeError(`fpr: expected a rate between 0 and 1 (exclusive), got ${fpr}`);
  if (n === 0) throw new RangeError('no calibration scores');
  const sorted = Float64Array.from(normalScores).sort();
  if (Number.isNaN(sorted[n - 1]!)) throw new RangeError('calibration scores include NaN');
  const m = Math.floor(fpr * n);
  const threshold = sorted[n - m - 1]!;
  let above = 0;
  for (let i = 0; i < n; i++) if (normalScores[i]! > threshold) above++;
  return { threshold, fpr, achievedFpr: above / n, n };
}

/** Flags (1 = anomaly) of `scores` under a threshold: score > threshold. */
export function flagAnomalies(scores: ArrayLike<number>, threshold: number): Uint8Array {
  return Uint8Array.from({ length: scores.length }, (_, i) => (scores[i]! > threshold ? 1 : 0));
}
