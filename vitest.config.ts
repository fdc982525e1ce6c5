import { defineConfig } from 'vitest/config';

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
    projects: [
      project('compute', 'packages/compute'),
      project('core', 'packages/core'),
      project('native-backend', 'packages/native-backend'),
      project('uses', 'packages/uses'),
      project('models-vae', 'packages/models-vae'),
      project('models-cvae', 'packages/models-cvae'),
      project('models-disentangled', 'packages/models-disentangled'),
      project('datasets', 'packages/datasets'),
      project('trackers', 'packages/trackers'),
      project('runner', 'apps/runner'),
    ],
  },
});
