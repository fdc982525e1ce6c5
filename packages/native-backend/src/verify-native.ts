import { fileURLToPath } from 'node:url';
import type { BackendPreference } from '@elbo/compute';
import { runCommand, tail } from './tfjs-node-package.js';
import { PROBE_TOLERANCE, compareProbes, type ProbeResult } from './training-probe.js';

/** The native backend checked against WASM on the same training steps. */
export interface NativeVerification {
  readonly ok: boolean;
  /** One line for the user. */
  readonly detail: string;
  /** TF_Version() of the library the binding loaded. */
  readonly tensorflow?: string;
  readonly losses?: { native: number[]; wasm: number[] };
  readonly lossRel?: number;
  readonly paramAbs?: number;
}

type ChildLine = { pref: BackendPreference; ok: true; tensorflow?: string; probe: ProbeResult } | { pref: BackendPreference; ok: false; error: string };

/** Runs the training probe on the given backends in a fresh process (one TensorFlow.js engine, as `elbo train` has). */
export async function probeBackends(prefs: readonly BackendPreference[], cwd: string): Promise<{ lines: ChildLine[]; failure?: string }> {
  const child = fileURLToPath(new URL('./verify-child.ts', import.meta.url));
  const r = await runCommand(process.execPath, ['--import', 'tsx', child, ...prefs], {
    cwd,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: process.env['TF_CPP_MIN_LOG_LEVEL'] ?? '2' },
  });
  const lines = r.output
    .split('\n')
    .filter((l) => l.startsWith('{"pref"'))
    .map((l) => JSON.parse(l) as ChildLine);
  if (r.code !== 0 || lines.length !== prefs.length) return { lines, failure: `the check process exited with ${r.code}:\n${tail(r.output)}` };
  return { lines };
}

/**
 * Loads the native backend in a fresh process and runs three Adam steps of a small VAE (ELBO's dense
 * layers and Adam) on it and on WASM, from the same data, noise and weights. It passes when every
 * loss agrees to PROBE_TOLERANCE.lossRel (relative) and every final parameter to
 * PROBE_TOLERANCE.paramAbs (absolute).
 */
export async function verifyNativeBackend(cwd: string): Promise<NativeVerification> {
  const { lines, failure } = await probeBackends(['node', 'wasm'], cwd);
  const native = lines.find((l) => l.pref === 'node');
  const wasm = lines.find((l) => l.pref === 'wasm');
  if (native && !native.ok) return { ok: false, detail: `the native backend does not start: ${native.error}` };
  if (failure || !native || !wasm) return { ok: false, detail: failure ?? 'no result from the check process' };
  if (!wasm.ok) return { ok: false, detail: `the WASM backend, the reference, does not start: ${wasm.error}` };
  const { lossRel, paramAbs } = compareProbes(native.probe, wasm.probe);
  const ok = lossRel <= PROBE_TOLERANCE.lossRel && paramAbs <= PROBE_TOLERANCE.paramAbs;
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(4)).join(' → ');
  const detail =
    `TensorFlow ${native.tensorflow ?? '?'}: losses ${fmt(native.probe.losses)} (native) vs ${fmt(wasm.probe.losses)} (wasm); ` +
    `max relative loss difference ${lossRel.toExponential(1)} (tolerance ${PROBE_TOLERANCE.lossRel}), ` +
    `max parameter difference ${paramAbs.toExponential(1)} (tolerance ${PROBE_TOLERANCE.paramAbs})`;
  return {
    ok,
    detail,
    ...(native.tensorflow ? { tensorflow: native.tensorflow } : {}),
    losses: { native: native.probe.losses, wasm: wasm.probe.losses },
    lossRel,
    paramAbs,
  };
}
