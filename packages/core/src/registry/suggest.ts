import { distance } from 'fastest-levenshtein';

/** The closest candidate within a typo's distance (at most max(2, ⌊length/3⌋) Levenshtein edits, without case), or undefined; the first of equally close ones. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}
