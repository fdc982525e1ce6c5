import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { defineConfig } from 'vitest/config';

/** One project per npm workspace, named after its folder: a package `elbo new plugin` adds is tested too. */
const workspaces: string[] = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')).workspaces;

const project = (name: string, root: string) => ({
  test: {
    name,
    root,
    include: ['src/**/*.spec.ts', 'test/**/*.spec.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

export default defineConfig({
  test: {
    // TensorFlow.js keeps one global engine per process: isolate files in forked processes.
    pool: 'forks',
    maxWorkers: 2,
    projects: workspaces.map((root) => project(basename(root), root)),
  },
});
