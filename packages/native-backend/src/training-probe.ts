import * as tf from '@tensorflow/tfjs-core';
import { Adam, dense } from '@elbo/compute';
import { mulberry32 } from '@elbo/core';

/** Losses and final parameters of a few training steps on the active backend. */
export interface ProbeResult {
  readonly backend: string;
  /** The loss before each step. */
  readonly losses: number[];
  /** Every parameter after the last step, flattened. */
  readonly params: Record<string, number[]>;
}

/** The probe model's sizes: inputs, hidden units, latent, batch. */
export interface ProbeSizes {
  readonly D: number;
  readonly H: number;
  readonly LATENT: number;
  readonly BATCH: number;
}

/** The check's small VAE. */
const SMALL: ProbeSizes = { D: 64, H: 32, LATENT: 4, BATCH: 16 };

/** A probe VAE of `sizes` with fixed data, per-step noise and initial weights (seeded), and one Adam step. */
export interface ProbeVae {
  /** One training step (call inside a tidy or a compiled step): returns the loss before the update. */
  step(s: number): tf.Scalar;
  readonly params: ReadonlyMap<string, tf.Variable>;
  dispose(): void;
}

/**
 * A small VAE of ELBO's own dense layers (hand-written gradients) and Adam, from fixed data, noise
 * (`noiseSteps` batches, used in turn) and initial weights. Loss: mean over the batch of the
 * Bernoulli negative log-likelihood (sigmoid cross-entropy on logits) plus the closed-form
 * KL(N(μ, σ²) ‖ N(0, I)), with the reparameterised z = μ + σ·ε.
 */
export function probeVae(sizes: ProbeSizes, noiseSteps: number, prefix = ''): ProbeVae {
  const { D, H, LATENT, BATCH } = sizes;
  const rand = mulberry32(20260522);
  const array = (n: number, f: () => number) => Float32Array.from({ length: n }, f);
  const x = tf.tensor2d(
    array(BATCH * D, () => (rand() < 0.3 ? 1 : 0)),
    [BATCH, D],
  );
  const eps = Array.from({ length: noiseSteps }, () =>
    tf.tensor2d(
      array(BATCH * LATENT, () => (rand() + rand() + rand() - 1.5) * 2),
      [BATCH, LATENT],
    ),
  );
  const init = (name: string, shape: [number, number] | [number]) => {
    const fanIn = shape[0];
    const scale = shape.length === 2 ? Math.sqrt(2 / fanIn) : 0.01;
    return [
      name,
      tf.variable(
        tf.tensor(
          array(
            shape.reduce((a, b) => a * b, 1),
            () => (rand() - 0.5) * 2 * scale,
          ),
          shape,
        ),
        true,
        prefix + name,
      ),
    ] as const;
  };
  // In a tidy: the initial values and Adam's zero moments are copied into variables, which tidy keeps.
  const params = new Map<string, tf.Variable>();
  let adam!: Adam;
  tf.tidy(() => {
    for (const [name, shape] of [
      ['enc/h/kernel', [D, H]],
      ['enc/h/bias', [H]],
      ['enc/out/kernel', [H, 2 * LATENT]],
      ['enc/out/bias', [2 * LATENT]],
      ['dec/h/kernel', [LATENT, H]],
      ['dec/h/bias', [H]],
      ['dec/out/kernel', [H, D]],
      ['dec/out/bias', [D]],
    ] as const)
      params.set(prefix + name, init(name, [...shape] as [number, number] | [number])[1]);
    adam = new Adam(params, { lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, clipNorm: null });
  });
  const p = (name: string) => params.get(prefix + name)! as unknown as tf.Tensor2D;
  return {
    params,
    step(s: number): tf.Scalar {
      const { value, grads } = tf.variableGrads(() => {
        const h = dense(x, p('enc/h/kernel'), p('enc/h/bias') as unknown as tf.Tensor1D, 'softplus');
        const out = dense(h, p('enc/out/kernel'), p('enc/out/bias') as unknown as tf.Tensor1D);
        const [mu, logVar] = tf.split(out, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
        const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps[s % noiseSteps]!)) as tf.Tensor2D;
        const hd = dense(z, p('dec/h/kernel'), p('dec/h/bias') as unknown as tf.Tensor1D, 'softplus');
        const logits = dense(hd, p('dec/out/kernel'), p('dec/out/bias') as unknown as tf.Tensor1D);
        // −log p(x|z) = softplus(l) − x·l, summed over values
        const nll = tf.sum(tf.sub(tf.softplus(logits), tf.mul(x, logits)), 1);
        const kl = tf.mul(tf.sum(tf.sub(tf.add(tf.square(mu), tf.exp(logVar)), tf.add(logVar, 1)), 1), 0.5);
        return tf.mean(tf.add(nll, kl)) as tf.Scalar;
      });
      adam.apply(new Map(Object.entries(grads)));
      return value;
    },
    dispose() {
      tf.dispose([x, ...eps]);
      adam.dispose();
      for (const v of params.values()) v.dispose();
    },
  };
}

/**
 * A few Adam steps of the small probe VAE on the active backend, from fixed data, noise and initial
 * weights, so two backends can be compared number for number.
 */
export function trainingProbe(steps = 3): ProbeResult {
  const vae = probeVae(SMALL, steps);
  const lossTensors: tf.Scalar[] = [];
  try {
    for (let s = 0; s < steps; s++) lossTensors.push(vae.step(s));
    // One read-back after the steps, not one per step.
    const read = tf.tidy(() => tf.stack(lossTensors).dataSync());
    tf.dispose(lossTensors);
    const out: Record<string, number[]> = {};
    for (const [name, v] of vae.params) out[name] = Array.from(v.dataSync());
    return { backend: tf.getBackend(), losses: Array.from(read), params: out };
  } finally {
    vae.dispose();
  }
}

/** How far two probes are apart: the largest relative loss difference and absolute parameter difference. */
export function compareProbes(a: ProbeResult, b: ProbeResult): { lossRel: number; paramAbs: number } {
  let lossRel = 0;
  a.losses.forEach((l, i) => (lossRel = Math.max(lossRel, Math.abs(l - b.losses[i]!) / Math.max(Math.abs(b.losses[i]!), 1e-12))));
  let paramAbs = 0;
  for (const [name, values] of Object.entries(a.params)) {
    const other = b.params[name] ?? [];
    values.forEach((v, i) => (paramAbs = Math.max(paramAbs, Math.abs(v - (other[i] ?? Number.NaN)))));
  }
  return { lossRel, paramAbs: Number.isNaN(paramAbs) ? Infinity : paramAbs };
}

/** Agreement required of the native backend with WASM: float32 reductions in another order, 3 Adam steps of lr 1e-3. */
export const PROBE_TOLERANCE = { lossRel: 1e-4, paramAbs: 1e-4 } as const;
