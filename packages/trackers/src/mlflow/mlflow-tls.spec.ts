import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlflowCredentials } from './mlflow-credentials.js';
import { MlflowHttp, type HttpSettings } from './mlflow-http.js';

/** A self-signed test certificate for 127.0.0.1 (test fixture only; valid until 2125). */
const CERT = `-----BEGIN CERTIFICATE-----
MIIBkDCCATagAwIBAgIUTbMh3De5j6cYXWuXNcQPFEwp+qUwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyMjA4NDYzNVoYDzIxMjYxMDI5
MDg0NjM1WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATSePvoLuU2Rr3aKShQkrlAp5OXg1qV3wYDDGTqoybLxp8CkUvfXVFk
8tt4dttq5jUzfFZlIDG9vCrKzR9/wZwdo2QwYjAdBgNVHQ4EFgQU6ZmUA5MZB4hE
R1m0ELoQ/b+DtREwHwYDVR0jBBgwFoAU6ZmUA5MZB4hER1m0ELoQ/b+DtREwDwYD
VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0gAMEUC
IG50WTrOmp93SL6zKGBdKrtZH1263YzHOOjOJ010r1LXAiEA8GINjBs/JE/D3209
sDJS8oJugsQ0P07Qa+GSR7rF7IM=
-----END CERTIFICATE-----`;
const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgRqkJmSZqrKluYPik
pMYzNOiUIlULRt/G/Dvb9/2xdwihRANCAATSePvoLuU2Rr3aKShQkrlAp5OXg1qV
3wYDDGTqoybLxp8CkUvfXVFk8tt4dttq5jUzfFZlIDG9vCrKzR9/wZwd
-----END PRIVATE KEY-----`;

let server: Server;
let uri: string;
let dir: string;
let requests = 0;
beforeAll(async () => {
  server = createServer({ cert: CERT, key: KEY }, (_req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  uri = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'elbo-tls-'));
  writeFileSync(join(dir, 'ca.pem'), CERT);
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const settings = (tls: HttpSettings['tls']): HttpSettings => ({
  trackingUri: uri,
  timeoutMs: 5000,
  tls,
  credentials: MlflowCredentials.none(),
  maxRetries: 3,
  backoffFactor: 0.01,
  backoffJitter: 0,
});

describe('MlflowHttp over TLS', () => {
  it('refuses an untrusted certificate at once (no retries), with a clear reason', async () => {
    const http = new MlflowHttp(settings({ insecure: false }));
    await expect(http.get('experiments/get', {})).rejects.toThrow(new RegExp(`^MLflow GET experiments/get at ${uri}: .*self[- ]signed`, 'i'));
    expect(requests).toBe(0);
    await http.close();
  });

  it('trusts a CA bundle (MLFLOW_TRACKING_SERVER_CERT_PATH), or skips checks when insecure', async () => {
    for (const tls of [{ insecure: false, caFile: join(dir, 'ca.pem') }, { insecure: true }]) {
      const http = new MlflowHttp(settings(tls));
      expect(await http.get('experiments/get', {})).toEqual({ ok: true });
      await http.close();
    }
    expect(requests).toBe(2);
  });
});
