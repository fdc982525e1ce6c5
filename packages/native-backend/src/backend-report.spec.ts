import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backendReport, formatBackendReport } from './backend-report.js';
import { installedTfjsNodeVersion, tfjsNodeLocation } from './tfjs-node-package.js';

describe('backendReport (elbo doctor)', () => {
  // These tests check what `auto` chooses on its own: the suite-wide ELBO_BACKEND is set aside.
  beforeAll(() => {
    vi.stubEnv('ELBO_BACKEND', '');
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });

  it('says which backends load, what auto chooses and why, as selectBackend does', async () => {
    const nativeInstalled = (await installedTfjsNodeVersion(tfjsNodeLocation().dir)) !== undefined;
    const r = await backendReport();
    const byName = Object.fromEntries(r.backends.map((b) => [b.name, b]));
    expect(r.backends.map((b) => b.name)).toEqual(['node', 'wasm', 'cpu']);
    expect(byName['wasm']).toMatchObject({ loads: true, detail: expect.stringMatching(/^WebAssembly/) });
    expect(byName['cpu']).toMatchObject({ loads: true, detail: 'pure JavaScript (slowest)' });
    if (!nativeInstalled) {
      expect(byName['node']).toEqual({ name: 'node', loads: false, detail: '@tensorflow/tfjs-node is not installed', hint: 'run `elbo backend native`' });
      expect(r.auto).toEqual({ name: 'wasm', reason: 'backend: wasm (auto — node: @tensorflow/tfjs-node is not installed)' });
      expect(r.versions['@tensorflow/tfjs-node']).toBe('not installed');
      expect(r.versions['TensorFlow C library']).toBe('—');
    } else if (byName['node']!.loads) {
      expect(r.auto).toMatchObject({ name: 'tensorflow' });
      expect(r.versions['TensorFlow C library']).toMatch(/^\d+\.\d+\.\d+/);
    } else {
      expect(byName['node']!.hint).toBeDefined();
      expect(r.auto).toMatchObject({ name: 'wasm' });
    }
    // the backend auto chose is left active
    expect(tf.getBackend()).toBe('name' in r.auto ? r.auto.name : undefined);
    expect(r.versions['@tensorflow/tfjs-core']).toBe(tf.version_core);
    expect(r.versions['Node.js']).toBe(process.version);
    expect(r.machine.cpus).toBeGreaterThan(0);
    expect(r.threads.wasm).toMatch(/^\d+ \(multi-threaded WASM: (yes|no); train.workers: N adds data-parallel threads\); fused Adam: SIMD kernel$/);

    const text = formatBackendReport(r);
    if (!nativeInstalled) {
      expect(text).toContain('  node  no      @tensorflow/tfjs-node is not installed — run `elbo backend native`\n');
      expect(text).toContain('auto\n  backend: wasm (auto — node: @tensorflow/tfjs-node is not installed)\n');
      expect(text).toContain('not provisioned by `elbo backend native`');
    }
    expect(text).toContain('\n  wasm  loads   WebAssembly');
    expect(text).toContain(`  Node.js                        ${process.version}\n`);
    expect(text).toContain(`${r.machine.cpus} CPUs`);
  });
});
