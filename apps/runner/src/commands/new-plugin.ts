import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ConfigError, writeFileAtomic } from '@elbo/core';
import { manifestLine, pluginFiles, TEMPLATES } from '../new-plugin/plugin-files.js';
import { pluginNames, type PluginKind } from '../new-plugin/plugin-names.js';
import { setup } from '../setup.js';

export interface NewPluginArgs {
  name: string;
  /** Folder the package folder is created in (`packages`). */
  dir: string;
  kind: PluginKind;
}

interface Workspace {
  readonly root: string;
  readonly pkg: { workspaces: string[] } & Record<string, unknown>;
}

/** The nearest folder at or above `from` whose package.json lists npm workspaces. */
function findWorkspace(from: string): Workspace | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as Workspace['pkg'];
        if (Array.isArray(pkg.workspaces)) return { root: dir, pkg };
      } catch {
        // not a readable package.json: keep looking
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

const posix = (p: string) => p.split(sep).join('/');

/** Whether a workspaces entry (a path, or `dir/*`) already covers `rel`. */
function covers(entry: string, rel: string): boolean {
  const e = entry.replace(/\/+$/, '');
  if (e === rel) return true;
  const glob = /^(.*)\/\*\*?$/.exec(e);
  return !!glob && rel.startsWith(`${glob[1]}/`) && (e.endsWith('**') || !rel.slice(glob[1]!.length + 1).includes('/'));
}

/** Package names of the workspace's packages (explicit entries and `dir/*` globs). */
function workspacePackageNames(ws: Workspace): Map<string, string> {
  const names = new Map<string, string>();
  const list = (d: string): string[] => {
    try {
      return readdirSync(d);
    } catch {
      return [];
    }
  };
  for (const entry of ws.pkg.workspaces) {
    const glob = /^(.*)\/\*$/.exec(entry);
    const folders = glob ? list(join(ws.root, glob[1]!)).map((f) => `${glob[1]}/${f}`) : [entry];
    for (const f of folders) {
      try {
        const name = (JSON.parse(readFileSync(join(ws.root, f, 'package.json'), 'utf8')) as { name?: string }).name;
        if (name) names.set(name, f);
      } catch {
        // no package here
      }
    }
  }
  return names;
}

/**
 * `elbo new plugin <name> [--dir packages] [--kind divergence]`: a new plugin package with one
 * component of the kind (a small, real one to start from), its spec and README; added to the
 * enclosing npm workspace. Refuses an invalid name, an existing folder, and a package or component
 * name that is taken, with status 2 and nothing written.
 */
export async function newPluginCommand(args: NewPluginArgs): Promise<number> {
  const n = pluginNames(args.name, args.kind);
  const folder = resolve(args.dir, n.folder);
  const shown = posix(relative(process.cwd(), folder)) || '.';
  if (existsSync(folder)) throw new ConfigError(`new plugin: ${shown} already exists; choose another name, or another folder with --dir`);
  const ws = findWorkspace(dirname(folder));
  const taken = ws ? workspacePackageNames(ws).get(n.packageName) : undefined;
  if (taken !== undefined) throw new ConfigError(`new plugin: the workspace already has a package named ${n.packageName} (${taken}); choose another name`);
  const { registry } = await setup();
  if (registry.has(n.kind, n.component)) throw new ConfigError(`new plugin: ${n.kind}/${n.component} is already a registered component; choose another name`);

  const files = pluginFiles(n, ws ? posix(relative(folder, ws.root)) || '.' : undefined);
  await mkdir(dirname(folder), { recursive: true });
  await mkdir(folder); // fails if the folder appeared meanwhile: never writes into an existing one
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(dirname(join(folder, rel)), { recursive: true });
    await writeFile(join(folder, rel), text, { flag: 'wx' });
  }
  const out: string[] = [`created ${shown}: ${n.packageName}, with ${n.kind}/${n.component} — ${TEMPLATES[n.kind].summary(n)}`];
  for (const rel of Object.keys(files)) out.push(`  ${shown}/${rel}`);
  out.push(`manifest (${shown}/src/${n.moduleFile}): ${manifestLine(n)}`);

  if (ws) {
    const rel = posix(relative(ws.root, folder));
    const where = posix(relative(process.cwd(), join(ws.root, 'package.json'))) || 'package.json';
    if (ws.pkg.workspaces.some((e) => covers(e, rel))) out.push(`workspaces: ${where} already covers ${rel}`);
    else {
      ws.pkg.workspaces.push(rel);
      await writeFileAtomic(join(ws.root, 'package.json'), `${JSON.stringify(ws.pkg, null, 2)}\n`);
      out.push(`workspaces: added "${rel}" to ${where}`);
    }
    const steps: [string, string][] = [
      ['npm install', `links ${n.packageName} into node_modules`],
      [`npx vitest run --project ${n.folder}`, 'runs its spec'],
    ];
    const width = Math.max(...steps.map(([c]) => c.length));
    out.push('next:', ...steps.map(([c, why]) => `  ${c.padEnd(width)}   # ${why}`), `  then name it in a config: plugins: ["${n.packageName}"] (see ${shown}/README.md)`);
  } else {
    out.push(
      `not inside an npm workspace: add ${shown} to one (or publish it) so that plugins: ["${n.packageName}"] can find it; a config can also name its entry file by path, relative to the config: plugins: ["./${shown}/src/index.ts"] from here`,
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
