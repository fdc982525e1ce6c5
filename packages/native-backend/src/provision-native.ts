import { readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { buildBinding, findBuildTools } from './build-binding.js';
import { findLibtensorflow, type FoundLibtensorflow, type RouteAttempt } from './find-libtensorflow.js';
import { addFunctionCalls, removeFunctionCalls } from './function-calls.js';
import type { RouteContext } from './route.js';
import { ensureTfjsNodePackage, stageDeps, tfjsNodeLocation, type TfjsNodeLocation } from './tfjs-node-package.js';
import { VERIFIED_TENSORFLOW_WHEEL, type Env } from './tfjs-node-install.js';
import { verifyNativeBackend, type NativeVerification } from './verify-native.js';

/** What `elbo backend native` left in tfjs-node's deps/, read back by `elbo doctor`. */
export interface NativeRecord {
  readonly route: string;
  readonly source: string;
  readonly tensorflowVersion?: string;
  readonly libtensorflowDir: string;
  readonly binding: string;
  readonly built: string;
  readonly verification: { ok: boolean; detail: string };
  /** Whether the binding has ELBO's function calls (compiled training steps, `train.compile`). */
  readonly compiledSteps?: { ok: boolean; detail: string };
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
  const compiledSteps = patch.ok
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
  await writeFile(join(deps, RECORD), JSON.stringify(record, null, 2) + '\n');
  return { ok: verification.ok, attempts, found, steps, verification };
}
