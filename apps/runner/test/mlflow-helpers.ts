import { rmSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { startMlflowServer, type MlflowServer } from '@elbo/trackers/testing';
import { tempDir } from './helpers.js';

/**
 * A real MLflow server for the spec file that calls this (started before its tests — the first
 * start may install MLflow into the project's .venv — and stopped after), plus scratch folders
 * removed with it.
 */
export function mlflowFixture(): { readonly server: MlflowServer; scratch(prefix: string): string } {
  let server: MlflowServer | undefined;
  const dirs: string[] = [];
  beforeAll(async () => {
    server = await startMlflowServer();
  }, 900_000);
  afterAll(async () => {
    await server?.dispose();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }, 60_000);
  return {
    get server() {
      if (!server) throw new Error('the MLflow server has not started');
      return server;
    },
    scratch(prefix: string) {
      const d = tempDir(prefix);
      dirs.push(d);
      return d;
    },
  };
}

/** The environment without any MLFLOW_* variable of the machine running the tests. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MLFLOW_')));
  return { ...env, ...extra };
}
