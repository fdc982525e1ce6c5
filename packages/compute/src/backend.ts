import * as tf from '@tensorflow/tfjs-core';
import { registerNativeKernels } from './compiled/native-kernels.js';
import { prepareWasmAdam } from './optim/adam-kernel.js';

export type BackendPreference = 'auto' | 'node' | 'wasm' | 'cpu';

export interface BackendChoice {
  /** The TensorFlow.js backend now active: `tensorflow` (native), `wasm` or `cpu`. */
  readonly name: string;
  /** The config value that was asked for. */
  readonly requested: BackendPreference;
  /** One line for the user: which backend and why the preferred ones were not used. */
  readonly reason: string;
}

const loaders: Record<Exclude<BackendPreference, 'auto'>, { backend: string; load: () => Promise<unknown> }> = {
  // The native binding registers the `tensorflow` backend when its module loads.
  node: { backend: 'tensorflow', load: () => import('@tensorflow/tfjs-node' as string) },
  wasm: { backend: 'wasm', load: () => import('@tensorflow/tfjs-backend-wasm') },
  cpu: { backend: 'cpu', load: () => import('@tensorflow/tfjs-backend-cpu') },
};

/**
 * `ELBO_BACKEND` (auto | node | wasm | cpu), when set, overrides every backend choice in the
 * process — e.g. `ELBO_BACKEND=node npm test` runs the whole test suite on the native backend.
 */
export function backendFromEnv(): BackendPreference | undefined {
  const v = process.env['ELBO_BACKEND'];
  if (v === undefined || v === '') return undefined;
  if (v === 'auto' || v === 'node' || v === 'wasm' || v === 'cpu') return v;
  throw new Error(`ELBO_BACKEND: expected one of auto, node, wasm, cpu, got ${JSON.stringify(v)}`);
}

/**
 * Registers the gradients of TensorFlow.js's ops, which training needs. tfjs-core's Node bundle
 * leaves them out; the `@tensorflow/tfjs` Node bundle registers them (into the same tfjs-core)
 * when it loads. Idempotent; called by `selectBackend`.
 */
export async function registerGradients(): Promise<void> {
  await import('@tensorflow/tfjs');
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (/Cannot find (module|package) '@tensorflow\/tfjs-node'/.test(msg)) return '@tensorflow/tfjs-node is not installed';
  return msg.split('\n')[0]!.slice(0, 200);
}

async function tryBackend(pref: Exclude<BackendPreference, 'auto'>): Promise<string | undefined> {
  const { backend, load } = loaders[pref];
  try {
    await load();
  } catch (e) {
    return firstLine(e);
  }
  try {
    const ok = await tf.setBackend(backend);
    if (!ok) return `the ${backend} backend did not initialise`;
    await tf.ready();
    if (backend === 'wasm') await prepareWasmAdam();
    if (backend === 'tensorflow') registerNativeKernels();
    return undefined;
  } catch (e) {
    return firstLine(e);
  }
}

/**
 * Selects the compute backend once, at start-up. `auto` tries the native TensorFlow binding, then
 * WASM, then the pure-JS CPU backend, and says why each earlier choice was skipped. An explicit
 * choice that fails is an error (the user asked for it).
 */
export async function selectBackend(requested: BackendPreference, options: { readonly ignoreEnv?: boolean } = {}): Promise<BackendChoice> {
  await registerGradients();
  // Tools that must start one particular backend (doctor's probing, the native build's check)
  // pass ignoreEnv; everything else follows ELBO_BACKEND when it is set.
  const forced = options.ignoreEnv ? undefined : backendFromEnv();
  const pref = forced ?? requested;
  if (pref !== 'auto') {
    const failure = await tryBackend(pref);
    const source = forced ? `ELBO_BACKEND=${forced}` : 'the config';
    if (failure) throw new Error(`backend "${pref}" (from ${source}) could not be started: ${failure}`);
    return { name: tf.getBackend(), requested: pref, reason: `backend: ${tf.getBackend()} (requested by ${source})` };
  }
  const skipped: string[] = [];
  for (const p of ['node', 'wasm', 'cpu'] as const) {
    const failure = await tryBackend(p);
    if (!failure) {
      const why = skipped.length ? ` — ${skipped.join('; ')}` : p === 'node' ? ' — native TensorFlow binding loaded' : '';
      return { name: tf.getBackend(), requested: pref, reason: `backend: ${tf.getBackend()} (auto${why})` };
    }
    skipped.push(`${p}: ${failure}`);
  }
  throw new Error(`no TensorFlow.js backend could be started: ${skipped.join('; ')}`);
}
