import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MlflowCredentials } from './mlflow-credentials.js';
import { MlflowApiError, MlflowUnreachableError, parseErrorBody } from './mlflow-error.js';
import { MlflowHttp, type HttpSettings } from './mlflow-http.js';

/**
 * Transport behaviour (retries, Retry-After, timeouts, error bodies, auth) against a scripted local
 * HTTP server. What MLflow itself does is tested against a real MLflow server in test/.
 */
type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
let server: Server | undefined;
let dir: string | undefined;

async function serve(handlers: Handler[]): Promise<{ uri: string; seen: { method: string; url: string; auth?: string; body: string; at: number }[] }> {
  const seen: { method: string; url: string; auth?: string; body: string; at: number }[] = [];
  let i = 0;
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body, at: Date.now() });
      handlers[Math.min(i++, handlers.length - 1)]!(req, body, res);
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
});

const settings = (uri: string, over: Partial<HttpSettings> = {}): HttpSettings => ({
  trackingUri: uri,
  timeoutMs: 5000,
  tls: { insecure: false },
  credentials: MlflowCredentials.none(),
  maxRetries: 3,
  backoffFactor: 0.01,
  backoffJitter: 0,
  ...over,
});
const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  (_q, _b, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

describe('MlflowHttp', () => {
  it('retries 503 and 429, honouring Retry-After, then succeeds', async () => {
    const { uri, seen } = await serve([json(503, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'busy' }), json(429, {}, { 'retry-after': '1' }), json(200, { ok: 1 })]);
    const http = new MlflowHttp(settings(uri));
    expect(await http.post('runs/log-batch', { run_id: 'r' })).toEqual({ ok: 1 });
    expect(seen).toHaveLength(3);
    expect(seen[2]!.at - seen[1]!.at).toBeGreaterThanOrEqual(950);
    expect(seen[0]!.url).toBe('/api/2.0/mlflow/runs/log-batch');
    expect(JSON.parse(seen[0]!.body)).toEqual({ run_id: 'r' });
    await http.close();
  });

  it('does not retry a 4xx and reports the error_code and message', async () => {
    const { uri, seen } = await serve([json(400, { error_code: 'INVALID_PARAMETER_VALUE', message: 'Changing param values is not allowed' })]);
    const http = new MlflowHttp(settings(uri));
    const e = await http.post('runs/log-batch', {}).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MlflowApiError);
    expect((e as MlflowApiError).message).toBe('MLflow POST runs/log-batch: HTTP 400 INVALID_PARAMETER_VALUE: Changing param values is not allowed');
    expect(seen).toHaveLength(1);
    await http.close();
  });

  it('gives up after maxRetries with the last error; an unreachable server names the URI and attempts', async () => {
    const { uri, seen } = await serve([json(502, {})]);
    const http = new MlflowHttp(settings(uri, { maxRetries: 2 }));
    await expect(http.get('experiments/get', { experiment_id: '1' })).rejects.toThrow(/HTTP 502/);
    expect(seen).toHaveLength(3);
    await http.close();
    const down = new MlflowHttp(settings('http://127.0.0.1:1', { maxRetries: 1 }));
    const e = await down.get('experiments/get', {}).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MlflowUnreachableError);
    expect((e as Error).message).toMatch(/^cannot reach the MLflow tracking server at http:\/\/127\.0\.0\.1:1 \(GET experiments\/get: .*ECONNREFUSED.*; 2 attempts\)$/);
    await down.close();
  });

  it('times out a request that gets no answer', async () => {
    const { uri } = await serve([() => undefined]);
    const http = new MlflowHttp(settings(uri, { timeoutMs: 300, maxRetries: 0 }));
    const t0 = Date.now();
    await expect(http.get('runs/get', { run_id: 'x' })).rejects.toThrow(/timed out/);
    expect(Date.now() - t0).toBeLessThan(3000);
    await http.close(0);
  });

  it('sends the Authorization header and keeps credentials out of errors', async () => {
    const { uri, seen } = await serve([
      (_q, _b, res) => {
        res.writeHead(401, { 'content-type': 'text/plain' });
        res.end('bad token tok-secret-1');
      },
    ]);
    const http = new MlflowHttp(settings(uri, { credentials: MlflowCredentials.from({ token: 'tok-secret-1' }) }));
    const e = (await http.get('runs/get', {}).catch((x: unknown) => x)) as MlflowApiError;
    expect(seen[0]!.auth).toBe('Bearer tok-secret-1');
    expect(e.status).toBe(401);
    expect(e.message).toBe('MLflow GET runs/get: HTTP 401: bad token ***');
    await http.close();
  });

  it('uploads a file with PUT (an empty success body is fine; an empty file too)', async () => {
    const { uri, seen } = await serve([(_q, _b, res) => res.end(''), (_q, _b, res) => res.end('')]);
    dir = await mkdtemp(join(tmpdir(), 'elbo-http-'));
    await writeFile(join(dir, 'a.bin'), 'bytes');
    await writeFile(join(dir, 'empty'), '');
    const http = new MlflowHttp(settings(uri));
    await http.upload('/api/2.0/mlflow-artifacts/artifacts/1/r/artifacts/a.bin', join(dir, 'a.bin'), 'PUT a.bin');
    await http.upload('/api/2.0/mlflow-artifacts/artifacts/1/r/artifacts/empty', join(dir, 'empty'), 'PUT empty');
    expect(seen.map((s) => [s.method, s.body])).toEqual([
      ['PUT', 'bytes'],
      ['PUT', ''],
    ]);
    await http.close();
  });
});

describe('parseErrorBody', () => {
  it('reads MLflow JSON, {"detail"}, plain text and HTML', () => {
    expect(parseErrorBody('{"error_code":"RESOURCE_ALREADY_EXISTS","message":"exists"}', 'application/json')).toEqual({ errorCode: 'RESOURCE_ALREADY_EXISTS', message: 'exists' });
    expect(parseErrorBody('{"detail":"Not Found"}', 'application/json')).toEqual({ errorCode: undefined, message: 'Not Found' });
    expect(parseErrorBody('Invalid Host header - possible DNS rebinding attack detected', 'text/plain')).toEqual({
      message: 'Invalid Host header - possible DNS rebinding attack detected',
    });
    expect(parseErrorBody('<html><title>502 Bad Gateway</title><body>x</body></html>', 'text/html')).toEqual({ message: '502 Bad Gateway' });
  });
});
