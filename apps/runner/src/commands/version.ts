import { createRequire } from 'node:module';
import { version_core as tfjsVersion } from '@tensorflow/tfjs-core';
import { selectBackend } from '@elbo/compute';

/** The runner's package version (apps/runner/package.json). */
export function elboVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

/**
 * `elbo --version` / `elbo version`: ELBO's version, TensorFlow.js's, Node's, and the backend
 * `backend: auto` chooses here with its reason (ELBO_BACKEND, when set, decides as it does for a
 * run). A machine where no backend starts still gets its versions, and the reason why.
 */
export async function versionCommand(write: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  let backend: string;
  try {
    backend = (await selectBackend('auto')).reason;
  } catch (e) {
    backend = `backend: none (${(e as Error).message})`;
  }
  write(`elbo ${elboVersion()}\nTensorFlow.js ${tfjsVersion}\nNode.js ${process.versions.node}\n${backend}\n`);
  return 0;
}
