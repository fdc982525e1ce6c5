import { distance } from 'fastest-levenshtein';

/** Levenshtein distance (UTF-16 code units), for "did you mean" hints: fastest-levenshtein's `distance`. */
export function editDistance(a: string, b: string): number {
  return distance(a, b);
}

/**
 * The closest candidate within a distance that still reads as a typo (at most max(2, ⌊length/3⌋)
 * edits, compared without case), or undefined. Among equally close candidates, the first wins.
 */
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
