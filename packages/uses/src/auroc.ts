/**
 * Area under the ROC curve of `scores` for telling positives (anomalies: `positive[i]` true) from
 * negatives, higher scores meaning "more positive": the Mann–Whitney form
 *   AUROC = P(s⁺ > s⁻) + ½ P(s⁺ = s⁻)
 * over all positive/negative pairs, computed from mid-ranks (ties count one half), O(n log n).
 * 1 separates perfectly, 0.5 is chance, below 0.5 ranks the wrong way round.
 */
export function auroc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  const n = scores.length;
  if (positive.length !== n) throw new RangeError(`${n} scores but ${positive.length} labels`);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n; i++) if (Number.isNaN(scores[i])) throw new RangeError(`score ${i} is NaN`);
  order.sort((a, b) => scores[a]! - scores[b]!);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const midRank = (i + j) / 2 + 1; // ranks are 1-based
    for (let t = i; t <= j; t++) {
      if (positive[order[t]!]) {
        pos++;
        rankSum += midRank;
      }
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) throw new RangeError(`AUROC needs positives and negatives, got ${pos} and ${neg}`);
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}
