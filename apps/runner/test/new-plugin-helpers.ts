import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { elboBin, repoRoot } from './helpers.js';

/**
 * A scratch npm workspace for generated plugins, inside the repository's ignored tmp/ (so the
 * packages resolve @elbo/core, zod… from the repository's node_modules), removed by `dispose`.
 */
export function scratchWorkspace(prefix: string): { readonly root: string; link(packageName: string, folder: string): void; dispose(): void } {
  const scratch = join(repoRoot, 'tmp');
  mkdirSync(scratch, { recursive: true });
  const root = mkdtempSync(join(scratch, prefix));
  writeFileSync(join(root, 'package.json'), `${JSON.stringify({ name: 'scratch', private: true, workspaces: [] }, null, 2)}\n`);
  return {
    root,
    /** What `npm install` does for a workspace package: node_modules/<name> → its folder. */
    link(packageName, folder) {
      const at = join(root, 'node_modules', ...packageName.split('/'));
      mkdirSync(dirname(at), { recursive: true });
      symlinkSync(relative(dirname(at), folder), at, 'dir');
    },
    dispose() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Runs a Node program to its end; never rejects. The child sees no VITEST* variables of this run, and no colours. */
export function runProgram(file: string, args: readonly string[], cwd: string, timeoutMs = 300_000): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS' && k !== 'TEST')),
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], { cwd, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export const tools = {
  elbo: elboBin,
  vitest: join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs'),
  tsc: join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'),
};
