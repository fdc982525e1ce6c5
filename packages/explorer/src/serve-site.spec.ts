import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveSite, type SiteServer } from './serve-site.js';

const root = mkdtempSync(join(tmpdir(), 'elbo-serve-'));
const site = join(root, 'site');
let server: SiteServer;

beforeAll(async () => {
  mkdirSync(join(site, 'model'), { recursive: true });
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(site, 'model', 'weights.bin'), new Uint8Array([1, 2, 3, 4]));
  writeFileSync(join(site, 'tfjs-backend-wasm.wasm'), new Uint8Array([0, 97, 115, 109]));
  writeFileSync(join(root, 'secret.txt'), 'outside the site');
  server = await serveSite(site);
});

afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

describe('serveSite', () => {
  it('listens on 127.0.0.1 at a free port and serves the folder with its content types', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<title>t</title>');
    const wasm = await fetch(`${server.url}tfjs-backend-wasm.wasm`);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    const bin = await fetch(`${server.url}model/weights.bin`);
    expect(new Uint8Array(await bin.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3, 4]));
  });

  it('answers 404 for what is not in the folder, outside paths included, and 405 for writes', async () => {
    expect((await fetch(`${server.url}missing.js`)).status).toBe(404);
    expect((await fetch(`${server.url}%2e%2e/secret.txt`)).status).toBe(404);
    expect((await fetch(`${server.url}model/..%2f..%2fsecret.txt`)).status).toBe(404);
    expect((await fetch(`${server.url}model/`)).status).toBe(404);
    expect((await fetch(server.url, { method: 'POST', body: 'x' })).status).toBe(405);
  });
});
