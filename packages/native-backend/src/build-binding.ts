import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { runCommand, tail } from './tfjs-node-package.js';

/** What node-gyp needs here, found or not. */
export interface BuildTools {
  /** node-gyp's entry script (npm's bundled copy), or undefined: run through `npx node-gyp`. */
  readonly nodeGyp?: string;
  /** A Node installation prefix with include/node/node_api.h, so node-gyp needs no download. */
  readonly nodedir?: string;
  readonly problems: readonly string[];
  readonly notes: readonly string[];
}

/** npm's bundled node-gyp, which `npm install` itself uses for native addons. */
function bundledNodeGyp(env: NodeJS.ProcessEnv): string | undefined {
  const prefix = dirname(dirname(process.execPath));
  const candidates = [
    env['npm_config_node_gyp'],
    join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((c): c is string => !!c && existsSync(c));
}

/**
 * Node's headers without a download: `npm_config_nodedir`, else this Node's own installation prefix
 * when it ships include/node (distribution packages and the official tarballs do).
 */
function localNodedir(env: NodeJS.ProcessEnv): string | undefined {
  const candidates = [env['npm_config_nodedir'], dirname(dirname(process.execPath))];
  return candidates.find((c): c is string => !!c && existsSync(join(c, 'include', 'node', 'node_api.h')));
}

async function has(cmd: string, args: string[]): Promise<boolean> {
  return (await runCommand(cmd, args, { cwd: process.cwd() })).code === 0;
}

/** Checks for node-gyp, Node's headers, a C++ compiler, make and Python (gyp is Python). */
export async function findBuildTools(env: NodeJS.ProcessEnv = process.env): Promise<BuildTools> {
  const problems: string[] = [];
  const notes: string[] = [];
  const nodeGyp = bundledNodeGyp(env);
  if (!nodeGyp) notes.push('npm’s bundled node-gyp was not found; using `npx node-gyp` (from the npm registry)');
  const nodedir = localNodedir(env);
  notes.push(nodedir ? `Node headers: ${join(nodedir, 'include', 'node')}` : 'Node headers: not installed locally; node-gyp will download them (nodejs.org, or NODEJS_ORG_MIRROR)');
  if (!(await has(env['CXX'] || 'c++', ['--version']))) problems.push(`no C++ compiler (${env['CXX'] || 'c++'}): install g++ (Debian/Ubuntu: apt-get install g++ make)`);
  if (process.platform !== 'win32' && !(await has('make', ['--version']))) problems.push('no make: install make');
  if (!(await has(env['PYTHON'] || 'python3', ['--version']))) problems.push(`no Python 3 (${env['PYTHON'] || 'python3'}), which node-gyp needs`);
  return { ...(nodeGyp ? { nodeGyp } : {}), ...(nodedir ? { nodedir } : {}), problems, notes };
}

/** Where tfjs-node loads its binding from (node-pre-gyp's answer for this Node), e.g. lib/napi-v8/tfjs_binding.node. */
export function bindingPath(tfjsNodeDir: string): string {
  const pkg = join(tfjsNodeDir, 'package.json');
  const preGyp = createRequire(pkg)('@mapbox/node-pre-gyp') as { find: (packageJson: string) => string };
  return preGyp.find(pkg);
}

/**
 * Compiles tfjs-node's binding (binding/*.cc) with node-gyp against the libraries and headers staged
 * in its deps/, into the path node-pre-gyp looks in. The variables node-pre-gyp would pass
 * (module_name, module_path, napi_build_version) are passed directly.
 */
export async function buildBinding(tfjsNodeDir: string, tools: BuildTools, log: (line: string) => void): Promise<{ ok: boolean; detail: string; binding: string }> {
  const binding = bindingPath(tfjsNodeDir);
  const napi = /napi-v(\d+)/.exec(binding)?.[1];
  if (!napi) return { ok: false, detail: `unexpected binding path ${binding}`, binding };
  const gypArgs = [
    'rebuild',
    `--module_name=tfjs_binding`,
    `--module_path=${dirname(binding)}`,
    `--napi_build_version=${napi}`,
    `--jobs=${availableParallelism()}`,
    ...(tools.nodedir ? [`--nodedir=${tools.nodedir}`] : []),
  ];
  const [cmd, args] = tools.nodeGyp ? [process.execPath, [tools.nodeGyp, ...gypArgs]] : [process.platform === 'win32' ? 'npx.cmd' : 'npx', ['--yes', 'node-gyp', ...gypArgs]];
  log(`  node-gyp ${gypArgs.join(' ')}   (in ${tfjsNodeDir})`);
  const started = Date.now();
  const r = await runCommand(cmd, args, { cwd: tfjsNodeDir });
  const secs = ((Date.now() - started) / 1000).toFixed(0);
  if (r.code !== 0 || !existsSync(binding)) return { ok: false, detail: `node-gyp failed (exit ${r.code}) after ${secs} s:\n${tail(r.output)}`, binding };
  return { ok: true, detail: `built ${binding} in ${secs} s`, binding };
}
