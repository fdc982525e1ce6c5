import { describe, expect, it } from 'vitest';
import { backendCommand } from './backend.js';

describe('elbo backend', () => {
  it('provisions only `native`; wasm and cpu ship with ELBO', async () => {
    let err = '';
    const code = await backendCommand({ target: 'wasm' }, { out: () => {}, err: (s) => (err += s) });
    expect(code).toBe(2);
    expect(err).toBe('error: elbo backend wasm: only `native` can be provisioned (wasm and cpu ship with ELBO)\n');
  });
});
