import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { buildBinding, findBuildTools } from './build-binding.js';
import { findLibtensorflow, type FoundLibtensorflow, type RouteAttempt } from './find-libtensorflow.js';
import { addFunctionCalls, removeFunctionCalls } from './function-calls.js';
import type { RouteContext } from './route.js';
import { ensureTfjsNodePackage, stageDeps, tfjsNodeLocation, type TfjsNodeLocation } from './tfjs-node-package.js';
import { VERIFIED_TENSORFLOW_WHEEL, type Env } from './tfjs-node-install.js';
import { verifyNativeBackend, type NativeVerification } from './verify-native.js';
import { measureStepModes, type StepMode } from './step-modes.js';

/** What `elbo backend native` left in tfjs-node's deps/, read back by `elbo doctor`. */
export interface NativeRecord {
  readonly route: string;
  readonly source: string;
  readonly tensorflowVersion?: string;
  readonly libtensorflowDir: string;
  readonly binding: string;
  readonly built: string;
  readonly verification: { ok: boolean; detail: string };
  /**
   * Whether the binding has ELBO's function calls (compiled training steps, `train.compile`), and
   * what `auto` runs here: the fastest step mode whose numbers agree with eager steps (`modes`: the
   * measurement, one line).
   */
  readonly compiledSteps?: { ok: boolean; detail: string; auto?: StepMode; modes?: string };
}

export interface ProvisionOptions {
  readonly env?: Env;
  /** Default ~/.cache/elbo/native. */
  readonly cacheDir?: string;
  /** TensorFlow wheel version for route 3, or `latest` (default: the verified one). */
  readonly tensorflowVersion?: string;
  readonly log?: (line: string) => void;
  /** Where tfjs-node goes (default: beside the tfjs-core that @elbo/core uses). */
  readonly location?: TfjsNodeLocation;
}

export interface ProvisionResult {
  readonly ok: boolean;
  readonly attempts: readonly RouteAttempt[];
  readonly found?: FoundLibtensorflow;
  /** The steps after a route succeeded (tools, package, build, check), in order. */
  readonly steps: readonly { step: string; ok: boolean; detail: string }[];
  readonly verification?: NativeVerification;
}

const RECORD = 'elbo-native.json';

export function defaultNativeCache(): string {
  return join(homedir(), '.cache', 'elbo', 'native');
}

/** The record of the last `elbo backend native` in this tfjs-node, if any. */
export async function readNativeRecord(tfjsNodeDir: string): Promise<NativeRecord | undefined> {
  return readFile(join(tfjsNodeDir, 'deps', RECORD), 'utf8')
    .then((s) => JSON.parse(s) as NativeRecord)
    .catch(() => undefined);
}

/** The glibc this process runs on (`2.36`), undefined on other C libraries. */
export function glibcVersion(): string | undefined {
  // Without the network section: it looks up every open socket's host name, which waits on an unreachable DNS server.
  if (process.report) (process.report as { excludeNetwork?: boolean }).excludeNetwork = true;
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header?.glibcVersionRuntime;
}

/**
 * Provisions the native TensorFlow backend from what this machine can reach: finds a libtensorflow
 * (LIBTENSORFLOW_DIR, then a TFJS_NODE_BASE_URI / TFJS_NODE_CDN_STORAGE mirror, then TensorFlow's CPU
 * wheel on PyPI), installs tfjs-node's JavaScript without its install script, builds its binding
 * against that library, and verifies it with a few training steps compared with WASM. Reports every
 * route and step through `log`; the result says which succeeded.
 */
export async function provisionNative(options: ProvisionOptions = {}): Promise<ProvisionResult> {
  const log = options.log ?? (() => {});
  const steps: { step: string; ok: boolean; detail: string }[] = [];
  const step = (name: string, ok: boolean, detail: string) => {
    steps.push({ step: name, ok, detail });
    log(`${name}: ${ok ? 'ok' : 'FAILED'} — ${detail}`);
    return ok;
  };
  if (process.platform !== 'linux') {
    step(
      'platform',
      false,
      `elbo backend native builds the binding on Linux only (this is ${process.platform}); elsewhere tfjs-node's own installer is the way (see docs/native-backend.md)`,
    );
    return { ok: false, attempts: [], steps };
  }
  const tools = await findBuildTools();
  if (!step('build tools', tools.problems.length === 0, [...tools.problems, ...tools.notes].join('; '))) return { ok: false, attempts: [], steps };

  const glibc = glibcVersion();
  const ctx: RouteContext = {
    env: options.env ?? process.env,
    cacheDir: options.cacheDir ?? defaultNativeCache(),
    tensorflowVersion: options.tensorflowVersion ?? VERIFIED_TENSORFLOW_WHEEL,
    log,
    platform: process.platform,
    arch: process.arch,
    ...(glibc ? { glibc } : {}),
  };
  const { found, attempts } = await findLibtensorflow(ctx);
  if (!found) return { ok: false, attempts, steps };

  const loc = options.location ?? tfjsNodeLocation();
  const pkg = await ensureTfjsNodePackage(loc, log);
  if (!step('tfjs-node package', pkg.ok, pkg.detail)) return { ok: false, attempts, found, steps };
  const deps = await stageDeps(loc.dir, found.folder);
  step('deps', true, `${deps} → ${found.folder.dir}`);
  // ELBO's function calls (compiled training steps) go into the binding; a build that fails with them
  // is retried without, so the native backend still works with eager steps.
  const patch = await addFunctionCalls(loc.dir);
  let built = await buildBinding(loc.dir, tools, log);
  let compiledSteps: NativeRecord['compiledSteps'] = patch.ok
    ? { ok: built.ok, detail: built.ok ? 'the binding can register and run TensorFlow functions' : 'the binding did not build with them' }
    : { ok: false, detail: patch.problem };
  if (!built.ok && patch.ok) {
    await removeFunctionCalls(loc.dir);
    built = await buildBinding(loc.dir, tools, log);
  }
  if (!step('build', built.ok, built.detail)) return { ok: false, attempts, found, steps };
  step('compiled training steps', compiledSteps.ok, compiledSteps.detail);
  const verification = await verifyNativeBackend(loc.root);
  step('check (training steps, native vs wasm)', verification.ok, verification.detail);
  // A binding that computes differently must not be what `backend: auto` picks up.
  if (!verification.ok) await rm(built.binding, { force: true });
  if (verification.ok && compiledSteps.ok) {
    // `train.compile: auto` runs the fastest mode that computes what eager steps compute, here.
    const measured = await measureStepModes(loc.root);
    if (measured.ok) compiledSteps = { ...compiledSteps, auto: measured.choice.auto, modes: measured.choice.detail };
    step('step modes (eager, graph, XLA on the reference MLP)', measured.ok, measured.ok ? measured.choice.detail : `${measured.detail}; auto = graph`);
  }
  const record: NativeRecord = {
    route: found.route,
    source: found.source,
    ...(verification.tensorflow || found.tensorflowVersion ? { tensorflowVersion: verification.tensorflow ?? found.tensorflowVersion } : {}),
    libtensorflowDir: found.folder.dir,
    binding: built.binding,
    built: new Date().toISOString(),
    verification: { ok: verification.ok, detail: verification.detail },
    compiledSteps,
  };
  await writeRecord(loc.dir, record);
  return { ok: verification.ok, attempts, found, steps, verification };
}

async function writeRecord(tfjsNodeDir: string, record: NativeRecord): Promise<void> {
  const file = join(tfjsNodeDir, 'deps', RECORD);
  await writeFile(`${file}.tmp`, JSON.stringify(record, null, 2) + '\n');
  await rename(`${file}.tmp`, file);
}

/**
 * Measures the step modes again on the provisioned binding (no rebuild) and records what
 * `train.compile: auto` runs: for a machine whose load or CPU changed since `elbo backend native`.
 */
export async function remeasureStepModes(location: TfjsNodeLocation = tfjsNodeLocation()): Promise<{ ok: boolean; detail: string }> {
  const record = await readNativeRecord(location.dir);
  if (!record?.compiledSteps?.ok) return { ok: false, detail: `no native backend with compiled steps is provisioned in ${location.dir} (run elbo backend native first)` };
  const measured = await measureStepModes(location.root);
  if (!measured.ok) return { ok: false, detail: measured.detail };
  await writeRecord(location.dir, { ...record, compiledSteps: { ...record.compiledSteps, auto: measured.choice.auto, modes: measured.choice.detail } });
  return { ok: true, detail: measured.choice.detail };
}
