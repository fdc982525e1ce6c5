/**
 * Child process of `verifyNativeBackend` (run with `node --import tsx`): starts each backend named
 * on the command line through ELBO's own selectBackend, runs the training probe on it, and prints
 * one JSON line per backend. A backend that does not start prints its error instead.
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, type BackendPreference } from '@elbo/compute';
import { trainingProbe } from './training-probe.js';

for (const pref of process.argv.slice(2) as BackendPreference[]) {
  try {
    await selectBackend(pref, { ignoreEnv: true });
    const binding = (tf.backend() as { binding?: { TF_Version?: string } }).binding;
    const probe = trainingProbe();
    process.stdout.write(`${JSON.stringify({ pref, ok: true, tensorflow: binding?.TF_Version, probe })}\n`);
  } catch (e) {
    process.stdout.write(`${JSON.stringify({ pref, ok: false, error: (e as Error).message })}\n`);
  }
}
