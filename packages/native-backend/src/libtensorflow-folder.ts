import { execFile } from 'node:child_process';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TFJS_NODE_C_API_SYMBOLS, TFJS_NODE_HEADERS } from './tfjs-node-install.js';

const run = promisify(execFile);

/** A folder laid out like libtensorflow's archive (`lib/`, `include/`), checked for what the binding needs. */
export interface LibtensorflowFolder {
  readonly dir: string;
  readonly libDir: string;
  readonly includeDir: string;
  /** The library that provides the C API: `libtensorflow.so*` (C archive) or `libtensorflow_cc.so*` (wheel). */
  readonly mainLib: string;
  /** `libtensorflow_framework.so*`. */
  readonly frameworkLib: string;
  /** Every shared-library entry of lib/ (file names), which the binding's deps/lib links to. */
  readonly libEntries: readonly string[];
  /** TensorFlow version when a file name tells it (`libtensorflow.so.2.9.1`). */
  readonly version?: string;
}

export type FolderInspection = { ok: true; folder: LibtensorflowFolder } | { ok: false; problems: string[] };

const SHARED = /^lib(tensorflow|tensorflow_cc|tensorflow_framework)\.so(\.\d+)*$/;

/** The most specific name of a library: the longest version suffix (`libx.so.2.9.1` over `libx.so`). */
function pick(entries: string[], stem: string): string | undefined {
  return entries.filter((e) => e === `${stem}.so` || e.startsWith(`${stem}.so.`)).sort((a, b) => b.length - a.length)[0];
}

async function isDir(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isDirectory() ?? false;
}

/**
 * Checks that `dir` holds a Linux libtensorflow: `lib/` with the C API library and
 * libtensorflow_framework, `include/` with the two headers binding.gyp names. Problems are listed
 * all at once, each naming the path that was looked for.
 */
export async function inspectLibtensorflow(dir: string): Promise<FolderInspection> {
  const libDir = join(dir, 'lib');
  const includeDir = join(dir, 'include');
  const problems: string[] = [];
  if (!(await isDir(dir))) return { ok: false, problems: [`${dir}: no such folder`] };
  const entries = (await isDir(libDir)) ? (await readdir(libDir)).filter((e) => SHARED.test(e)) : undefined;
  if (!entries) problems.push(`${libDir}: no such folder (expected lib/ with libtensorflow.so*)`);
  const mainLib = entries && (pick(entries, 'libtensorflow') ?? pick(entries, 'libtensorflow_cc'));
  const frameworkLib = entries && pick(entries, 'libtensorflow_framework');
  if (entries && !mainLib) problems.push(`${libDir}: no libtensorflow.so* or libtensorflow_cc.so* (the TensorFlow C API library)`);
  if (entries && !frameworkLib) problems.push(`${libDir}: no libtensorflow_framework.so*`);
  for (const h of TFJS_NODE_HEADERS) {
    if (!(await stat(join(includeDir, h)).catch(() => undefined))?.isFile()) problems.push(`${join(includeDir, h)}: missing (the binding includes it)`);
  }
  if (problems.length) return { ok: false, problems };
  const version = /^libtensorflow\.so\.(\d+\.\d+\.\d+)$/.exec(mainLib!)?.[1];
  return {
    ok: true,
    folder: { dir, libDir, includeDir, mainLib: join(libDir, mainLib!), frameworkLib: join(libDir, frameworkLib!), libEntries: entries!.sort(), ...(version ? { version } : {}) },
  };
}

export type SymbolCheck = { checked: false; why: string } | { checked: true; missing: string[]; exported: number };

/**
 * Which of the binding's C API symbols the folder's libraries export, read from their dynamic symbol
 * tables with `nm -D --defined-only` (binutils). Without nm the check is skipped, and a missing
 * symbol shows up later as the binding's "undefined symbol" load error instead.
 */
export async function checkCApiSymbols(folder: LibtensorflowFolder, required: readonly string[] = TFJS_NODE_C_API_SYMBOLS): Promise<SymbolCheck> {
  const defined = new Set<string>();
  const files = new Set(await Promise.all(folder.libEntries.map((e) => realpath(join(folder.libDir, e)))));
  for (const f of files) {
    let out: string;
    try {
      out = (await run('nm', ['-D', '--defined-only', f], { maxBuffer: 1 << 30 })).stdout;
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: string };
      if (err.code === 'ENOENT') return { checked: false, why: 'nm (binutils) is not installed' };
      return { checked: false, why: `nm -D ${f}: ${(err.stderr || err.message).trim().split('\n')[0]}` };
    }
    for (const line of out.split('\n')) {
      const name = line.trim().split(/\s+/).pop()?.replace(/@.*$/, '');
      if (name && (name.startsWith('TF_') || name.startsWith('TFE_'))) defined.add(name);
    }
  }
  return { checked: true, missing: required.filter((s) => !defined.has(s)), exported: defined.size };
}
