import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { autoMode, compiledStepsProblem, fusedAdamProblem, hasFusedAdam, selectBackend, type BackendPreference } from '@elbo/compute';
import { glibcVersion, readNativeRecord, type NativeRecord } from './provision-native.js';
import { installedTfjsNodeVersion, tfjsNodeLocation } from './tfjs-node-package.js';

type Named = Exclude<BackendPreference, 'auto'>;

/** Whether one backend starts here, and if not, why and what to do. */
export interface BackendStatus {
  readonly name: Named;
  readonly loads: boolean;
  /** What it is when it loads (`native TensorFlow 2.21.0`); why not when it does not. */
  readonly detail: string;
  /** What the user can do about a backend that does not load. */
  readonly hint?: string;
}

/** Everything `elbo doctor` prints. */
export interface BackendReport {
  readonly backends: readonly BackendStatus[];
  /** What `backend: auto` chooses and why (the line `elbo train` prints), or why nothing starts. */
  readonly auto: { readonly name: string; readonly reason: string } | { readonly error: string };
  readonly versions: Readonly<Record<string, string>>;
  readonly machine: {
    readonly platform: string;
    readonly glibc?: string;
    readonly cpus: number;
    readonly availableParallelism: number;
    readonly model: string;
    readonly features: readonly string[];
  };
  readonly threads: { readonly wasm: string; readonly native: string };
  /** Where the native backend is (or would be) installed, and what `elbo backend native` recorded there. */
  readonly native: { readonly dir: string; readonly record?: NativeRecord };
  /** Whether training steps run as compiled TensorFlow functions (`train.compile`), or why not. */
  readonly compiledSteps: string;
}

const require = createRequire(import.meta.url);

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

function elboVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** The x86 SIMD extensions TensorFlow's kernels care about, from /proc/cpuinfo (Linux only). */
function cpuFeatures(): string[] {
  try {
    const flags = new Set(/^flags\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.split(/\s+/) ?? []);
    return ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f'].filter((f) => flags.has(f)).map((f) => f.toUpperCase().replace('_', '.'));
  } catch {
    return [];
  }
}

function tensorflowVersion(): string | undefined {
  const b = tf.findBackend('tensorflow') as { binding?: { TF_Version?: string } } | null;
  return b?.binding?.TF_Version;
}

async function describeLoaded(name: Named): Promise<string> {
  if (name === 'node') return `native TensorFlow ${tensorflowVersion() ?? '?'} through @tensorflow/tfjs-node`;
  if (name === 'cpu') return 'pure JavaScript (slowest)';
  const simd = await tf
    .env()
    .getAsync('WASM_HAS_SIMD_SUPPORT')
    .catch(() => undefined);
  return `WebAssembly${simd === undefined ? '' : simd ? ' with SIMD' : ' without SIMD'}`;
}

/**
 * Starts each backend in turn through `selectBackend` — the code `elbo train` uses — and records
 * which load and why the others do not, then what `auto` chooses, the versions, the CPU and the
 * threads each backend uses. Leaves the backend `auto` chose active.
 */
export async function backendReport(): Promise<BackendReport> {
  let auto: BackendReport['auto'];
  try {
    const choice = await selectBackend('auto');
    auto = { name: choice.name, reason: choice.reason };
  } catch (e) {
    auto = { error: (e as Error).message };
  }
  const loc = tfjsNodeLocation();
  const record = await readNativeRecord(loc.dir);
  const backends: BackendStatus[] = [];
  let wasmThreads = 'not loaded';
  let compiledSteps = 'no: the native backend does not load';
  for (const name of ['node', 'wasm', 'cpu'] as const) {
    try {
      await selectBackend(name, { ignoreEnv: true });
      backends.push({ name, loads: true, detail: await describeLoaded(name) });
      if (name === 'node') {
        const problem = compiledStepsProblem();
        const auto = autoMode();
        compiledSteps = problem
          ? `no: ${problem}`
          : `yes: \`train.compile: auto\` (the default) runs ${auto.mode === 'off' ? 'eager steps' : auto.mode === 'xla' ? 'each step as one XLA-compiled TensorFlow function' : 'each step as one TensorFlow function optimised by Grappler'} (${auto.because})`;
      }
      if (name === 'wasm') {
        const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as { getThreadsCount?: () => number };
        const multi = await tf
          .env()
          .getAsync('WASM_HAS_MULTITHREAD_SUPPORT')
          .catch(() => false);
        const adam = fusedAdamProblem() ?? (hasFusedAdam() ? 'fused Adam: SIMD kernel' : 'fused Adam: not registered');
        wasmThreads = `${wasm.getThreadsCount?.() ?? 1} (multi-threaded WASM: ${multi ? 'yes' : 'no'}; train.workers: N adds data-parallel threads); ${adam}`;
      }
    } catch (e) {
      const why = (e as Error).message.replace(/^backend "\w+" (\(from [^)]*\) )?could not be started: /, '');
      const hint =
        name === 'node'
          ? record && !record.verification.ok
            ? `\`elbo backend native\` built it, but its check against WASM failed (${record.verification.detail}); see docs/native-backend.md`
            : 'run `elbo backend native`'
          : undefined;
      backends.push({ name, loads: false, detail: why, ...(hint ? { hint } : {}) });
    }
  }
  if ('name' in auto) await tf.setBackend(auto.name);
  const tfjsNode = await installedTfjsNodeVersion(loc.dir);
  const intra = process.env['TF_NUM_INTRAOP_THREADS'];
  const inter = process.env['TF_NUM_INTEROP_THREADS'];
  const glibc = glibcVersion();
  return {
    backends,
    auto,
    versions: {
      elbo: elboVersion(),
      'Node.js': process.version,
      '@tensorflow/tfjs-core': packageVersion('@tensorflow/tfjs-core'),
      '@tensorflow/tfjs-backend-wasm': packageVersion('@tensorflow/tfjs-backend-wasm'),
      '@tensorflow/tfjs-node': tfjsNode ?? 'not installed',
      'TensorFlow C library': tensorflowVersion() ?? record?.tensorflowVersion ?? '—',
    },
    machine: {
      platform: `${process.platform}-${process.arch}`,
      ...(glibc ? { glibc } : {}),
      cpus: cpus().length,
      availableParallelism: availableParallelism(),
      model: cpus()[0]?.model.trim() ?? 'unknown',
      features: cpuFeatures(),
    },
    threads: {
      wasm: wasmThreads,
      native:
        intra || inter
          ? `TF_NUM_INTRAOP_THREADS=${intra ?? '(default)'}, TF_NUM_INTEROP_THREADS=${inter ?? '(default)'}`
          : `TensorFlow's default: one thread per available CPU (${availableParallelism()}); set TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS to change`,
    },
    native: { dir: loc.dir, ...(record ? { record } : {}) },
    compiledSteps,
  };
}

/** The report as `elbo doctor` prints it. */
export function formatBackendReport(r: BackendReport): string {
  const out: string[] = ['backends'];
  for (const b of r.backends) out.push(`  ${b.name.padEnd(5)} ${b.loads ? 'loads  ' : 'no     '} ${b.detail}${b.hint ? ` — ${b.hint}` : ''}`);
  out.push('', 'auto', `  ${'name' in r.auto ? r.auto.reason : `nothing starts: ${r.auto.error}`}`);
  out.push('', 'versions', ...Object.entries(r.versions).map(([k, v]) => `  ${k.padEnd(30)} ${v}`));
  const m = r.machine;
  out.push(
    '',
    'machine',
    `  ${m.platform}${m.glibc ? `, glibc ${m.glibc}` : ''}`,
    `  ${m.cpus} CPUs (${m.availableParallelism} available to this process): ${m.model}${m.features.length ? `; ${m.features.join(' ')}` : ''}`,
  );
  out.push('', 'threads', `  wasm    ${r.threads.wasm}`, `  native  ${r.threads.native}`);
  out.push('', 'native backend', `  ${r.native.dir}`);
  const rec = r.native.record;
  if (rec) {
    out.push(`  provisioned by \`elbo backend native\` on ${rec.built} from ${rec.route} (${rec.source}); TensorFlow ${rec.tensorflowVersion ?? '?'}`);
    out.push(`  libtensorflow: ${rec.libtensorflowDir}`, `  check: ${rec.verification.ok ? 'passed' : 'FAILED'} — ${rec.verification.detail}`);
  } else out.push('  not provisioned by `elbo backend native`');
  out.push(`  compiled steps: ${r.compiledSteps}`);
  return out.join('\n') + '\n';
}
