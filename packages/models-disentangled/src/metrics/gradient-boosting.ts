import { fractionCorrect } from './statistics.js';

/** Options of GradientBoostedTrees.fit; the defaults are scikit-learn's GradientBoostingClassifier's. */
export interface GradientBoostingOptions {
  /** Boosting rounds (one regression tree per class per round). Default 100. */
  readonly rounds?: number;
  /** Shrinkage of every tree's output. Default 0.1. */
  readonly learningRate?: number;
  /** Maximum depth of each regression tree. Default 3. */
  readonly maxDepth?: number;
  /** Quantile bins per feature for the split search. Default 64. */
  readonly bins?: number;
}

interface Node {
  feature: number; // −1 for a leaf
  bin: number; // go left when the row's bin ≤ bin
  threshold: number; // the same split in feature units (for rows not binned at fit time)
  left: number;
  right: number;
  value: number;
}

/**
 * Multiclass gradient-boosted trees as scikit-learn's GradientBoostingClassifier fits them — the
 * importance model disentanglement_lib's DCI uses: softmax log-loss, per round one regression tree
 * per class on the residuals y_k − p_k, squared-error splits, leaves set by one Newton step
 * ((K−1)/K · Σr / Σ|r|(1−|r|)), outputs shrunk by `learningRate`; feature importance = each tree's
 * total decrease in squared error weighted by the share of rows at the node, averaged over the trees
 * that split and normalised to sum 1 (scikit-learn's `feature_importances_`).
 *
 * The split search is histogram-based (as scikit-learn's HistGradientBoosting and LightGBM do):
 * each feature is cut once into `bins` quantile bins, so a tree level costs O(n · features) and the
 * splits are the bin edges rather than every midpoint. With two classes it fits K = 2 trees per
 * round (scikit-learn fits one); the importances are the same up to that symmetry.
 */
export class GradientBoostedTrees {
  private constructor(
    private readonly trees: readonly (readonly Node[])[],
    private readonly init: Float64Array,
    readonly d: number,
    readonly k: number,
    private readonly learningRate: number,
    /** Mean decrease in squared error of each feature, summing to 1 (all zeros if no tree split). */
    readonly importance: Float64Array,
  ) {}

  static fit(x: Float64Array, n: number, d: number, y: Int32Array, k: number, options: GradientBoostingOptions = {}): GradientBoostedTrees {
    const { rounds = 100, learningRate = 0.1, maxDepth = 3, bins = 64 } = options;
    const { binned, edges } = binFeatures(x, n, d, bins);
    const prior = new Float64Array(k);
    for (let i = 0; i < n; i++) prior[y[i]!]!++;
    const init = prior.map((c) => Math.log(Math.max(c, 1e-12) / n));
    const f = new Float64Array(n * k);
    for (let i = 0; i < n; i++) f.set(init, i * k);
    const p = new Float64Array(n * k);
    const r = new Float64Array(n);
    const trees: Node[][] = [];
    const importance = new Float64Array(d);
    let splitting = 0;
    const builder = new RegressionTreeBuilder(binned, n, d, bins, maxDepth, edges);
    for (let round = 0; round < rounds; round++) {
      softmaxRows(f, p, n, k);
      for (let c = 0; c < k; c++) {
        for (let i = 0; i < n; i++) r[i] = (y[i] === c ? 1 : 0) - p[i * k + c]!;
        const tree = builder.build(r, k);
        trees.push(tree.nodes);
        if (tree.nodes.length > 1) {
          splitting++;
          tree.importance.forEach((v, j) => (importance[j] += v / n));
        }
        for (let i = 0; i < n; i++) f[i * k + c] += learningRate * tree.nodes[tree.leafOf[i]!]!.value;
      }
    }
    if (splitting > 0) importance.forEach((v, j) => (importance[j] = v / splitting));
    const sum = importance.reduce((a, b) => a + b, 0);
    if (sum > 0) importance.forEach((v, j) => (importance[j] = v / sum));
    return new GradientBoostedTrees(trees, init, d, k, learningRate, importance);
  }

  /** The most probable class of each of the n rows of x. */
  predict(x: Float64Array, n: number): Int32Array {
    const out = new Int32Array(n);
    const score = new Float64Array(this.k);
    for (let i = 0; i < n; i++) {
      score.set(this.init);
      this.trees.forEach((tree, t) => {
        let node = tree[0]!;
        while (node.feature >= 0) node = tree[x[i * this.d + node.feature]! <= node.threshold ? node.left : node.right]!;
        score[t % this.k] += this.learningRate * node.value;
      });
      let best = 0;
      for (let c = 1; c < this.k; c++) if (score[c]! > score[best]!) best = c;
      out[i] = best;
    }
    return out;
  }

  /** Fraction of the n rows whose predicted class is y. */
  accuracy(x: Float64Array, n: number, y: Int32Array): number {
    return fractionCorrect(this.predict(x, n), y, n);
  }
}

function softmaxRows(f: Float64Array, p: Float64Array, n: number, k: number): void {
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let c = 0; c < k; c++) m = Math.max(m, f[i * k + c]!);
    let s = 0;
    for (let c = 0; c < k; c++) s += p[i * k + c] = Math.exp(f[i * k + c]! - m);
    for (let c = 0; c < k; c++) p[i * k + c] /= s;
  }
}

/** Each feature cut at (up to) `bins` − 1 quantile edges; rows get the bin index of each feature. */
function binFeatures(x: Float64Array, n: number, d: number, bins: number): { binned: Uint8Array; edges: Float64Array[] } {
  if (bins < 2 || bins > 256) throw new RangeError(`bins: expected 2 … 256, got ${bins}`);
  const binned = new Uint8Array(n * d);
  const edges: Float64Array[] = [];
  const col = new Float64Array(n);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) col[i] = x[i * d + j]!;
    const sorted = Float64Array.from(col).sort();
    const distinct = sorted.filter((v, i) => i === 0 || v !== sorted[i - 1]);
    const cuts: number[] = [];
    if (distinct.length <= bins) for (let t = 1; t < distinct.length; t++) cuts.push((distinct[t - 1]! + distinct[t]!) / 2);
    else
      for (let b = 1; b < bins; b++) {
        // The b-th quantile, cut just below it: between it and the next smaller distinct value.
        const q = sorted[Math.floor((b * n) / bins)]!;
        let lo = 0;
        let hi = distinct.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (distinct[mid]! < q) lo = mid + 1;
          else hi = mid;
        }
        if (lo === 0) continue;
        const cut = (distinct[lo - 1]! + q) / 2;
        if (cuts.length === 0 || cut > cuts[cuts.length - 1]!) cuts.push(cut);
      }
    const e = Float64Array.from(cuts);
    edges.push(e);
    for (let i = 0; i < n; i++) {
      let lo = 0;
      let hi = e.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (col[i]! > e[mid]!) lo = mid + 1;
        else hi = mid;
      }
      binned[i * d + j] = lo;
    }
  }
  return { binned, edges };
}

/** Grows depth-limited squared-error regression trees on binned features, breadth-first. */
class RegressionTreeBuilder {
  private readonly rows: Int32Array;
  private readonly sums: Float64Array;
  private readonly counts: Float64Array;
  private readonly leafOf: Int32Array;

  constructor(
    private readonly binned: Uint8Array,
    private readonly n: number,
    private readonly d: number,
    private readonly bins: number,
    private readonly maxDepth: number,
    private readonly edges: readonly Float64Array[],
  ) {
    this.rows = new Int32Array(n);
    this.sums = new Float64Array(d * bins);
    this.counts = new Float64Array(d * bins);
    this.leafOf = new Int32Array(n);
  }

  build(r: Float64Array, k: number): { nodes: Node[]; importance: Float64Array; leafOf: Int32Array } {
    const { binned, n, d, bins, rows, sums, counts, leafOf } = this;
    const importance = new Float64Array(d);
    const nodes: Node[] = [];
    for (let i = 0; i < n; i++) rows[i] = i;
    // Work list of nodes: [node id, lo, hi, depth] over `rows`, partitioned in place.
    const work: [number, number, number, number][] = [[0, 0, n, 0]];
    nodes.push(leaf());
    while (work.length) {
      const [id, lo, hi, depth] = work.shift()!;
      const m = hi - lo;
      let total = 0;
      let abs = 0;
      for (let p = lo; p < hi; p++) {
        const v = r[rows[p]!]!;
        total += v;
        abs += Math.abs(v) * (1 - Math.abs(v));
      }
      nodes[id]!.value = abs > 1e-12 ? ((k - 1) / k) * (total / abs) : 0;
      if (depth >= this.maxDepth || m < 2) {
        for (let p = lo; p < hi; p++) leafOf[rows[p]!] = id;
        continue;
      }
      sums.fill(0);
      counts.fill(0);
      for (let p = lo; p < hi; p++) {
        const i = rows[p]!;
        const v = r[i]!;
        for (let j = 0; j < d; j++) {
          const b = j * bins + binned[i * d + j]!;
          sums[b] += v;
          counts[b]!++;
        }
      }
      const base = (total * total) / m;
      let [bestGain, bestFeature, bestBin] = [1e-12, -1, -1];
      for (let j = 0; j < d; j++) {
        let [sl, nl] = [0, 0];
        for (let b = 0; b < bins - 1; b++) {
          sl += sums[j * bins + b]!;
          nl += counts[j * bins + b]!;
          if (nl === 0 || nl === m) continue;
          const gain = (sl * sl) / nl + ((total - sl) * (total - sl)) / (m - nl) - base;
          if (gain > bestGain) [bestGain, bestFeature, bestBin] = [gain, j, b];
        }
      }
      if (bestFeature < 0) {
        for (let p = lo; p < hi; p++) leafOf[rows[p]!] = id;
        continue;
      }
      importance[bestFeature] += bestGain;
      // Partition rows[lo, hi) in place: left (bin ≤ bestBin) first.
      let a = lo;
      let z = hi - 1;
      while (a <= z) {
        if (binned[rows[a]! * d + bestFeature]! <= bestBin) a++;
        else {
          const t = rows[a]!;
          rows[a] = rows[z]!;
          rows[z--] = t;
        }
      }
      const e = this.edges[bestFeature]!;
      const node = nodes[id]!;
      node.feature = bestFeature;
      node.bin = bestBin;
      node.threshold = e[bestBin] ?? Infinity;
      node.left = nodes.push(leaf()) - 1;
      node.right = nodes.push(leaf()) - 1;
      work.push([node.left, lo, a, depth + 1], [node.right, a, hi, depth + 1]);
    }
    return { nodes, importance, leafOf };
  }
}

function leaf(): Node {
  return { feature: -1, bin: -1, threshold: 0, left: -1, right: -1, value: 0 };
}
