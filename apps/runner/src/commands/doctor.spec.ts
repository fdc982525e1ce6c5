import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { doctorCommand } from './doctor.js';

describe('elbo doctor', () => {
  // These tests check what `auto` chooses on its own: the suite-wide ELBO_BACKEND is set aside.
  beforeAll(() => {
    vi.stubEnv('ELBO_BACKEND', '');
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });

  it('prints the backends, what auto chooses and why, versions, CPU and threads', async () => {
    let out = '';
    expect(await doctorCommand({ json: false }, (s) => (out += s))).toBe(0);
    for (const section of ['backends\n', '\nauto\n', '\nversions\n', '\nmachine\n', '\nthreads\n', '\nnative backend\n']) expect(out).toContain(section);
    expect(out).toMatch(/\n {2}backend: (tensorflow|wasm|cpu) \(auto/);
    expect(out).toMatch(/\n {2}node {2}(loads {3}native TensorFlow|no {6}.+ — )/);
  });

  it('--json gives the same report as data', async () => {
    let out = '';
    await doctorCommand({ json: true }, (s) => (out += s));
    const r = JSON.parse(out) as { backends: { name: string; loads: boolean }[]; auto: { name?: string } };
    expect(r.backends.map((b) => b.name)).toEqual(['node', 'wasm', 'cpu']);
    expect(r.backends.find((b) => b.name === 'wasm')?.loads).toBe(true);
    expect(['tensorflow', 'wasm']).toContain(r.auto.name);
  });
});
