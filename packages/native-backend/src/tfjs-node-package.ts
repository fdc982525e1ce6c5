import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, realpath, rm, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { LibtensorflowFolder } from './libtensorflow-folder.js';
import { TFJS_NODE_VERSION } from './tfjs-node-install.js';

/** Where `@tensorflow/tfjs-node` lives (or would live) for ELBO: beside the tfjs-core that compute uses. */
export interface TfjsNodeLocation {
  /** The node_modules folder holding @tensorflow/tfjs-core. */
  readonly nodeModules: string;
  /** The project folder that node_modules belongs to (where npm is run). */
  readonly root: string;
  /** node_modules/@tensorflow/tfjs-node */
  readonly dir: string;
}

/**
 * Installing tfjs-node next to the tfjs-core that @elbo/compute resolves is what makes its `tensorflow`
 * backend register with the engine ELBO uses.
 */
export function tfjsNodeLocation(): TfjsNodeLocation {
  const core = createRequire(import.meta.url).resolve('@tensorflow/tfjs-core/package.json');
  const nodeModules = dirname(dirname(dirname(core)));
  return { nodeModules, root: dirname(nodeModules), dir: join(nodeModules, '@tensorflow', 'tfjs-node') };
}

/** The installed tfjs-node's version, or undefined when it is not there. */
export async function installedTfjsNodeVersion(dir: string): Promise<string | undefined> {
  return readFile(join(dir, 'package.json'), 'utf8')
    .then((s) => (JSON.parse(s) as { version?: string }).version)
    .catch(() => undefined);
}

/** Output of a finished command; `code` 0 is success. */
export interface CommandResult {
  readonly code: number;
  readonly output: string;
}

/** Runs a command, collecting stdout and stderr together (a failed start is code 127 with the error). */
export function runCommand(cmd: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CommandResult> {
  return new Promise((done) => {
    let output = '';
    const child = spawn(cmd, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (e) => done({ code: 127, output: `${output}${e.message}` }));
    child.on('close', (code) => done({ code: code ?? 1, output }));
  });
}

/** The last `n` non-empty lines of a command's output, for an error message. */
export function tail(output: string, n = 15): string {
  return output
    .split('\n')
    .filter((l) => l.trim())
    .slice(-n)
    .join('\n');
}

/**
 * Makes sure tfjs-node's JavaScript and its dependencies are installed (without its install
 * script, which would try Google's bucket): `npm install --no-save --ignore-scripts
 * @tensorflow/tfjs-node@<version>` in the project folder. Already there at the right version: nothing.
 */
export async function ensureTfjsNodePackage(loc: TfjsNodeLocation, log: (line: string) => void): Promise<{ ok: boolean; detail: string }> {
  const have = await installedTfjsNodeVersion(loc.dir);
  const preGyp = have === TFJS_NODE_VERSION && existsSync(join(loc.nodeModules, '@mapbox', 'node-pre-gyp', 'package.json'));
  if (preGyp) return { ok: true, detail: `@tensorflow/tfjs-node ${have} is installed in ${loc.dir}` };
  const args = ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', `@tensorflow/tfjs-node@${TFJS_NODE_VERSION}`];
  log(`  npm ${args.join(' ')}   (in ${loc.root})`);
  const r = await runCommand(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { cwd: loc.root });
  if (r.code !== 0) return { ok: false, detail: `npm install failed (exit ${r.code}):\n${tail(r.output)}` };
  const now = await installedTfjsNodeVersion(loc.dir);
  if (now !== TFJS_NODE_VERSION) return { ok: false, detail: `npm install finished, but ${loc.dir} holds ${now ?? 'nothing'}, not ${TFJS_NODE_VERSION}` };
  return { ok: true, detail: `installed @tensorflow/tfjs-node ${now} (JavaScript only) in ${loc.dir}` };
}

/**
 * Lays out tfjs-node's `deps/` as its binding.gyp expects (`deps/include`, `deps/lib` with
 * libtensorflow.so and libtensorflow_framework.so to link against, and every library file the
 * binding loads at run time through its rpath `$ORIGIN/../../deps/lib`), as symbolic links into the
 * libtensorflow folder: nothing large is copied into node_modules.
 */
export async function stageDeps(tfjsNodeDir: string, folder: LibtensorflowFolder): Promise<string> {
  const deps = join(tfjsNodeDir, 'deps');
  await rm(deps, { recursive: true, force: true });
  await mkdir(join(deps, 'lib'), { recursive: true });
  await symlink(await realpath(folder.includeDir), join(deps, 'include'), 'dir');
  const names = new Set<string>();
  for (const e of folder.libEntries) {
    await symlink(await realpath(join(folder.libDir, e)), join(deps, 'lib', e));
    names.add(e);
  }
  if (!names.has('libtensorflow.so')) await symlink(await realpath(folder.mainLib), join(deps, 'lib', 'libtensorflow.so'));
  if (!names.has('libtensorflow_framework.so')) await symlink(await realpath(folder.frameworkLib), join(deps, 'lib', 'libtensorflow_framework.so'));
  return deps;
}
