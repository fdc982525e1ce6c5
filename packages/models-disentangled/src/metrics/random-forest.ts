import type { Uniform } from './ground-truth-sampling.js';
import { fractionCorrect } from './statistics.js';

/** Options of RandomForest.fit. */
export interface RandomForestOptions {
  /** Trees in the forest. Default 10. */
  readonly trees?: number;
  /** Maximum depth of each tree (the root is depth 0). Default 8. */
  readonly maxDepth?: number;
  /** Minimum (bootstrap-weighted) examples in a leaf. Default 1. */
  readonly minLeaf?: number;
}

interface Node {
  feature: number; // −1 for a leaf
  threshold: number;
  left: number;
  right: number;
  /** Class probabilities at a leaf. */
  dist?: Float64Array;
}

/**
 * A small random forest of classification trees (bagging: every tree sees a bootstrap sample of the
 * examples and considers every feature at each split), written for the DCI importances:
 *
 * - splits minimise the weighted Gini impurity, thresholds halfway between consecutive distinct values;
 * - a tree stops at `maxDepth`, at pure nodes, or when no split leaves `minLeaf` examples per side;
 * - feature importances are mean decrease in impurity (weighted by the examples reaching each node),
 *   normalised to sum 1 per tree and averaged over trees — scikit-learn's `feature_importances_`
 *   definition, which disentanglement_lib's gradient-boosted trees also use;
 * - prediction averages the trees' leaf class frequencies.
 *
 * Each feature is sorted once; nodes keep their examples in per-feature sorted order by stable
 * partitioning, so a tree costs O(n · features · depth). Randomness (the bootstrap) comes from `u`.
 */
export class RandomForest {
  private constructor(
    private readonly trees: readonly Node[][],
    readonly d: number,
    readonly k: number,
    /** Mean decrease in impurity of each feature, summing to 1 (all zeros if no tree split). */
    readonly importance: Float64Array,
  ) {}

  static fit(x: Float64Array, n: number, d: number, y: Int32Array, k: number, u: Uniform, options: RandomForestOptions = {}): RandomForest {
    const { trees = 10, maxDepth = 8, minLeaf = 1 } = options;
    const sorted = Array.from({ length: d }, (_, j) => Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a * d + j]! - x[b * d + j]!));
    const importance = new Float64Array(d);
    const forest: Node[][] = [];
    for (let t = 0; t < trees; t++) {
      const weight = new Float64Array(n);
      for (let i = 0; i < n; i++) weight[Math.floor(u() * n)]++;
      const tree = new TreeBuilder(x, d, y, k, weight, maxDepth, minLeaf, sorted);
      forest.push(tree.nodes);
      const total = tree.importance.reduce((a, b) => a + b, 0);
      if (total > 0) tree.importance.forEach((v, j) => (importance[j] += v / total / trees));
    }
    const sum = importance.reduce((a, b) => a + b, 0);
    if (sum > 0) importance.forEach((v, j) => (importance[j] = v / sum));
    return new RandomForest(forest, d, k, importance);
  }

  /** The class with the highest mean leaf frequency for each of the n rows of x. */
  predict(x: Float64Array, n: number): Int32Array {
    const out = new Int32Array(n);
    const p = new Float64Array(this.k);
    for (let i = 0; i < n; i++) {
      p.fill(0);
      for (const tree of this.trees) {
        let node = tree[0]!;
        while (node.feature >= 0) node = tree[x[i * this.d + node.feature]! <= node.threshold ? node.left : node.right]!;
        node.dist!.forEach((v, c) => (p[c] += v));
      }
      let best = 0;
      for (let c = 1; c < this.k; c++) if (p[c]! > p[best]!) best = c;
      out[i] = best;
    }
    return out;
  }

  /** Fraction of the n rows whose predicted class is y. */
  accuracy(x: Float64Array, n: number, y: Int32Array): number {
    return fractionCorrect(this.predict(x, n), y, n);
  }
}

/** Grows one tree depth-first over the examples with positive bootstrap weight. */
class TreeBuilder {
  readonly nodes: Node[] = [];
  readonly importance: Float64Array;
  /** Per feature: example ids in sorted order; a node owns the same [lo, hi) range in each. */
  private readonly order: Int32Array[];
  private readonly goesLeft: Uint8Array;
  private readonly scratch: Int32Array;

  constructor(
    private readonly x: Float64Array,
    private readonly d: number,
    private readonly y: Int32Array,
    private readonly k: number,
    private readonly w: Float64Array,
    private readonly maxDepth: number,
    private readonly minLeaf: number,
    sorted: readonly Int32Array[],
  ) {
    this.importance = new Float64Array(d);
    this.order = sorted.map((s) => s.filter((i) => w[i]! > 0));
    const m = this.order[0]?.length ?? 0;
    this.goesLeft = new Uint8Array(w.length);
    this.scratch = new Int32Array(m);
    this.grow(0, m, 0);
  }

  private grow(lo: number, hi: number, depth: number): number {
    const { k, w, y, d, x } = this;
    const counts = new Float64Array(k);
    let total = 0;
    for (let p = lo; p < hi; p++) {
      const i = this.order[0]![p]!;
      counts[y[i]!] += w[i]!;
      total += w[i]!;
    }
    const id = this.nodes.length;
    const node: Node = { feature: -1, threshold: 0, left: -1, right: -1 };
    this.nodes.push(node);
    let sumSq = 0;
    for (const c of counts) sumSq += c * c;
    const impurity = 1 - sumSq / (total * total);
    if (depth >= this.maxDepth || impurity <= 1e-12 || total < 2 * this.minLeaf) {
      node.dist = counts.map((c) => c / total);
      return id;
    }
    // Best split: the largest decrease W·gini − W_L·gini_L − W_R·gini_R over features and thresholds.
    let best = 0;
    let bestFeature = -1;
    let bestThreshold = 0;
    const left = new Float64Array(k);
    for (let j = 0; j < d; j++) {
      const ord = this.order[j]!;
      left.fill(0);
      let wl = 0;
      let sqL = 0;
      let sqR = sumSq;
      for (let p = lo; p < hi - 1; p++) {
        const i = ord[p]!;
        const c = y[i]!;
        const wi = w[i]!;
        const right = counts[c]! - left[c]!;
        sqL += 2 * left[c]! * wi + wi * wi;
        sqR += -2 * right * wi + wi * wi;
        left[c] += wi;
        wl += wi;
        const v = x[i * d + j]!;
        const next = x[ord[p + 1]! * d + j]!;
        if (next <= v) continue; // no threshold between equal values
        const wr = total - wl;
        if (wl < this.minLeaf || wr < this.minLeaf) continue;
        const gain = total * impurity - (wl - sqL / wl) - (wr - sqR / wr);
        if (gain > best + 1e-12) {
          best = gain;
          bestFeature = j;
          bestThreshold = (v + next) / 2;
        }
      }
    }
    if (bestFeature < 0) {
      node.dist = counts.map((c) => c / total);
      return id;
    }
    this.importance[bestFeature] += best;
    const mid = this.partition(lo, hi, bestFeature, bestThreshold);
    node.feature = bestFeature;
    node.threshold = bestThreshold;
    node.left = this.grow(lo, mid, depth + 1);
    node.right = this.grow(mid, hi, depth + 1);
    return id;
  }

  /** Stable partition of [lo, hi) of every feature order by x[feature] ≤ threshold; returns the split point. */
  private partition(lo: number, hi: number, feature: number, threshold: number): number {
    const { x, d, goesLeft, scratch } = this;
    let mid = lo;
    for (let p = lo; p < hi; p++) {
      const i = this.order[feature]![p]!;
      const l = x[i * d + feature]! <= threshold ? 1 : 0;
      goesLeft[i] = l;
      mid += l;
    }
    for (const ord of this.order) {
      let a = lo;
      let b = 0;
      for (let p = lo; p < hi; p++) {
        const i = ord[p]!;
        if (goesLeft[i]) ord[a++] = i;
        else scratch[b++] = i;
      }
      ord.set(scratch.subarray(0, b), a);
    }
    return mid;
  }
}
