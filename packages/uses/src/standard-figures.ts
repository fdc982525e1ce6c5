import * as tf from '@tensorflow/tfjs-core';
import { ContainerModule } from 'inversify';
import { encodeImageGrid, FigureContribution, type ConditionInput, type Dataset, type Figure, type FigureMaker, type RandomStream, type VaeModel } from '@elbo/core';

function imageShape(dataset: Dataset): [number, number, number] | undefined {
  const s = dataset.shape;
  if (s.length === 3 && (s[2] === 1 || s[2] === 3)) return [s[0]!, s[1]!, s[2]!];
  if (s.length === 2) return [s[0]!, s[1]!, 1];
  return undefined;
}

async function rows(t: tf.Tensor2D): Promise<Float32Array[]> {
  const v = (await t.data()) as Float32Array;
  const [n, d] = t.shape;
  return Array.from({ length: n }, (_, i) => v.slice(i * d, (i + 1) * d));
}

function readTest(dataset: Dataset, idx: Int32Array): tf.Tensor2D {
  const buf = new Float32Array(idx.length * dataset.test.dim);
  dataset.test.read(idx, buf);
  return tf.tensor2d(buf, [idx.length, dataset.test.dim]);
}

/**
 * The pictures every image model leaves in its run folder:
 * - `samples.png`: 8×8 mean images of z ~ p(z);
 * - `reconstructions.png`: 32 test inputs, each followed by its reconstruction (posterior mean);
 * - `interpolation.png`: two test digits (a 5 and a 1 when labels allow, as in the seed material)
 *   at the ends, and the decoded means of 10 evenly spaced points between their posterior means.
 * Returns nothing for non-image data.
 */
export async function standardFigures(model: VaeModel, dataset: Dataset, rng: RandomStream): Promise<Figure[]> {
  const shape = imageShape(dataset);
  if (!shape) return [];
  const out: Figure[] = [];
  const classes = model.conditioner?.allClasses?.();
  if (model.conditioner && !classes) return []; // vector conditions: no canonical grid
  if (classes) {
    out.push({ file: 'samples.png', png: await conditionGrid(model, classes, 8, rng.nextSeed(), shape) });
  } else {
    const samples = model.sample(64, rng.nextSeed());
    out.push({ file: 'samples.png', png: encodeImageGrid(await rows(samples), { shape, cols: 8 }) });
    samples.dispose();
  }

  const n = Math.min(32, dataset.test.size);
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  const x = readTest(dataset, idx);
  const rec = tf.tidy(() => model.reconstruct(x, model.condition(model.conditioner?.read(dataset.test, idx))));
  const xs = await rows(x);
  const rs = await rows(rec);
  tf.dispose([x, rec]);
  out.push({
    file: 'reconstructions.png',
    png: encodeImageGrid(
      xs.flatMap((v, i) => [v, rs[i]!]),
      { shape, cols: 16 },
    ),
  });

  const labels = dataset.test.labels;
  const find = (cls: number, fallback: number) => {
    if (!labels) return fallback;
    const i = labels.indexOf(cls);
    return i >= 0 ? i : fallback;
  };
  const pair = Int32Array.from([find(5, 0), find(1, Math.min(1, dataset.test.size - 1))]);
  const xp = readTest(dataset, pair);
  const steps = 10;
  const pairCond = model.conditioner?.read(dataset.test, pair);
  const interp = tf.tidy(() => {
    const c = model.condition(pairCond);
    const mu = model.encode(xp, c).mean;
    const t = tf.reshape(tf.linspace(0, 1, steps), [steps, 1]);
    const z = tf.add(tf.mul(tf.sub(1, t), tf.slice(mu, [0, 0], [1, -1])), tf.mul(t, tf.slice(mu, [1, 0], [1, -1]))) as tf.Tensor2D;
    // A conditional model interpolates in z under the first image's condition.
    const cz = c ? (tf.tile(tf.slice(c, [0, 0], [1, -1]), [steps, 1]) as tf.Tensor2D) : undefined;
    return model.decodeMean(z, cz);
  });
  const ends = await rows(xp);
  const mids = await rows(interp);
  tf.dispose([xp, interp]);
  out.push({ file: 'interpolation.png', png: encodeImageGrid([ends[0]!, ...mids, ends[1]!], { shape, cols: steps + 2 }) });
  return out;
}

/**
 * Samples of a conditional model, one row per class. Column j holds one standard-normal draw ε_j,
 * mapped through each class's prior, z = μ(c) + σ(c) ⊙ ε_j — the same z for every class under
 * N(0, I), the same relative position under a learned p(z|c) — so style stays fixed down a column
 * while the class changes from row to row.
 */
export async function conditionGrid(model: VaeModel, classes: ConditionInput, perClass: number, seed: number, shape: [number, number, number]): Promise<Uint8Array> {
  const images = tf.tidy(() => {
    const c = model.condition(classes)!; // [K, dim]
    const k = c.shape[0];
    const cc = tf.reshape(tf.tile(tf.expandDims(c, 1), [1, perClass, 1]), [k * perClass, -1]) as tf.Tensor2D;
    const p = model.prior.distribution(k * perClass, cc);
    const eps = tf.randomNormal([perClass, model.shape.latentDim], 0, 1, 'float32', seed);
    const ee = tf.reshape(tf.tile(tf.expandDims(eps, 0), [k, 1, 1]), [k * perClass, -1]);
    const z = tf.add(p.mean, tf.mul(p.stddev(), ee)) as tf.Tensor2D;
    return model.decodeMean(z, cc);
  });
  const r = await rows(images);
  images.dispose();
  return encodeImageGrid(r, { shape, cols: perClass });
}

/** The standard figures as a figure maker, drawing from the run's `figures` stream. */
export const standardFigureMaker: FigureMaker = { name: 'standard', stream: 'figures', make: standardFigures };

/** The package's ContainerModule: the standard figures join every run's artifacts. */
export const usesModule = new ContainerModule(({ bind }) => {
  bind(FigureContribution).toConstantValue(standardFigureMaker);
});
