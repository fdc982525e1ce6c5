/**
 * A small reverse proxy on 127.0.0.1 that demands credentials before forwarding to an MLflow
 * server, the way an authenticating gateway in front of MLflow does: requests without the expected
 * `Authorization` header get a plain-text 401. It records what it saw (to check which scheme the
 * client sent). It rewrites `Host` to the upstream's, which MLflow's host check requires.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AuthProxy {
  readonly uri: string;
  /** Every Authorization header received (undefined when absent). */
  readonly seen: (string | undefined)[];
  close(): Promise<void>;
}

export async function startAuthProxy(upstream: string, expected: string): Promise<AuthProxy> {
  const target = new URL(upstream);
  const seen: (string | undefined)[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.headers.authorization);
    if (req.headers.authorization !== expected) {
      req.resume();
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' });
      res.end('401 Unauthorized: missing or wrong credentials');
      return;
    }
    const headers = { ...req.headers, host: target.host };
    delete headers.authorization;
    const up = request({ hostname: target.hostname, port: target.port, path: req.url, method: req.method, headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', (e) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${e.message}`);
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
