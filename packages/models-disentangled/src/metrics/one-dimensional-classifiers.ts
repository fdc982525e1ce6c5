/**
 * Classifiers of a factor from ONE code dimension, for the SAP score. Each takes training values x
 * with classes y (0 … k − 1) and returns a predictor.
 */
export type Predictor = (x: number) => number;

/**
 * Threshold classifier: the class means of x on the training data, sorted; a value is assigned to the
 * class with the nearest mean, i.e. thresholds sit halfway between consecutive means. With equal
 * class priors and one shared variance this is the Bayes (LDA) rule on one feature. It depends only on
 * the order and spacing of the codes, not on their scale, and a code monotone in the factor separates
 * all k classes. Classes absent from the training data are never predicted.
 */
export function thresholdClassifier(x: Float64Array, y: Int32Array, k: number): Predictor {
  const sum = new Float64Array(k);
  const count = new Float64Array(k);
  for (let i = 0; i < x.length; i++) {
    sum[y[i]!] += x[i]!;
    count[y[i]!]++;
  }
  const centres = [...Array(k).keys()].filter((c) => count[c]! > 0).map((c) => ({ c, m: sum[c]! / count[c]! }));
  centres.sort((a, b) => a.m - b.m);
  const m = centres.map((e) => e.m);
  return (v) => {
    let lo = 0;
    let hi = m.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (m[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    // m[lo] is the first centre ≥ v (or the last one): compare with its left neighbour.
    if (lo > 0 && v - m[lo - 1]! <= m[lo]! - v) lo--;
    return centres[lo]!.c;
  };
}

/**
 * One-vs-rest linear SVM on one feature, the objective scikit-learn's
 * `LinearSVC(C, class_weight='balanced')` (liblinear) minimises for each class c:
 *
 *   ½(w² + b²) + C Σ_i s_i · max(0, 1 − t_i(w·x_i + b))²,   t_i = +1 if y_i = c else −1,
 *
 * squared hinge loss, the intercept penalised like a weight (liblinear's intercept_scaling = 1).
 * Class weights as liblinear applies `class_weight='balanced'` (w_c = n / (k · n_c)): in each
 * one-vs-rest problem the positives weigh s_i = w_c and the rest s_i = 1; with two classes one problem
 * is solved with s_i = w_{y_i}. Each two-parameter problem is solved by Newton's method with
 * backtracking (the objective is piecewise quadratic); prediction is argmax_c w_c·x + b_c.
 * This is what disentanglement_lib's SAP uses for discrete factors.
 */
export function linearSvmClassifier(x: Float64Array, y: Int32Array, k: number, C: number): Predictor {
  const n = x.length;
  const count = new Float64Array(k);
  for (const c of y) count[c]++;
  const present = [...Array(k).keys()].filter((c) => count[c]! > 0);
  const balanced = (c: number) => n / (present.length * count[c]!);
  if (present.length < 2) return () => present[0] ?? 0;
  if (present.length === 2) {
    // scikit-learn fits ONE binary problem for two classes (the second class positive).
    const s = Float64Array.from(y, (c) => balanced(c));
    const [w, b] = fitSquaredHinge(x, y, present[1]!, s, C);
    return (v) => (w * v + b > 0 ? present[1]! : present[0]!);
  }
  const models = present.map((c) => ({
    c,
    wb: fitSquaredHinge(
      x,
      y,
      c,
      Float64Array.from(y, (yi) => (yi === c ? balanced(c) : 1)),
      C,
    ),
  }));
  return (v) => {
    let best = models[0]!;
    for (const m of models) if (m.wb[0] * v + m.wb[1] > best.wb[0] * v + best.wb[1]) best = m;
    return best.c;
  };
}

function fitSquaredHinge(x: Float64Array, y: Int32Array, positive: number, s: Float64Array, C: number): [number, number] {
  const n = x.length;
  const objective = (w: number, b: number) => {
    let f = 0.5 * (w * w + b * b);
    for (let i = 0; i < n; i++) {
      const t = y[i] === positive ? 1 : -1;
      const slack = 1 - t * (w * x[i]! + b);
      if (slack > 0) f += C * s[i]! * slack * slack;
    }
    return f;
  };
  let w = 0;
  let b = 0;
  let f = objective(w, b);
  for (let it = 0; it < 100; it++) {
    let gw = w;
    let gb = b;
    let hww = 1;
    let hwb = 0;
    let hbb = 1;
    for (let i = 0; i < n; i++) {
      const t = y[i] === positive ? 1 : -1;
      const xi = x[i]!;
      const slack = 1 - t * (w * xi + b);
      if (slack > 0) {
        const a = 2 * C * s[i]!;
        gw -= a * t * xi * slack;
        gb -= a * t * slack;
        hww += a * xi * xi;
        hwb += a * xi;
        hbb += a;
      }
    }
    if (Math.hypot(gw, gb) <= 1e-10 * Math.max(1, Math.abs(f))) break;
    const det = hww * hbb - hwb * hwb;
    const dw = -(hbb * gw - hwb * gb) / det;
    const db = -(hww * gb - hwb * gw) / det;
    let step = 1;
    const slope = gw * dw + gb * db;
    let next = objective(w + dw, b + db);
    while (next > f + 1e-4 * step * slope && step > 1e-10) {
      step /= 2;
      next = objective(w + step * dw, b + step * db);
    }
    w += step * dw;
    b += step * db;
    const done = f - next <= 1e-12 * Math.max(1, f);
    f = next;
    if (done) break;
  }
  return [w, b];
}
