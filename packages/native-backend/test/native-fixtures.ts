/**
 * Test fixtures for the native-backend routes: a libtensorflow folder laid out like the real
 * archive (lib/ with versioned names and symlinks, include/ with the C headers' paths), whose
 * libraries are real ELF shared objects exporting stub C API functions when a C compiler is
 * available; a .tar.gz and a wheel (.zip) of it; and a loopback HTTP server.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import type { RouteContext } from '../src/route.js';
import { TFJS_NODE_C_API_SYMBOLS, type Env } from '../src/tfjs-node-install.js';

export function tempDir(prefix = 'elbo-native-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Whether `cc` and `nm` are installed (real ELF stubs and the symbol check). */
export const hasToolchain = (() => {
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
    execFileSync('nm', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Writes a shared library exporting `symbols` as stub functions (or placeholder bytes without cc). */
export function writeStubLibrary(file: string, symbols: readonly string[], soname: string): void {
  mkdirSync(dirname(file), { recursive: true });
  if (!hasToolchain) {
    writeFileSync(file, `not an ELF file: stub ${soname}\n`);
    return;
  }
  const src = `${file}.c`;
  writeFileSync(src, symbols.map((s) => `void ${s}(void) {}`).join('\n') + '\n');
  execFileSync('cc', ['-shared', '-fPIC', `-Wl,-soname,${soname}`, '-o', file, src]);
}

const HEADERS = ['tensorflow/c/c_api.h', 'tensorflow/c/eager/c_api.h', 'tensorflow/c/tf_tensor.h', 'tensorflow/core/platform/ctstring_internal.h'];

/**
 * A folder laid out like libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz: lib/libtensorflow.so.2.9.1
 * (+ .so.2, .so links), lib/libtensorflow_framework.so.2.9.1 (+ links), include/tensorflow/c/….
 * `omit` drops C API symbols from the stub library.
 */
export function fakeLibtensorflow(dir: string, options: { omit?: readonly string[] } = {}): string {
  const lib = join(dir, 'lib');
  const symbols = TFJS_NODE_C_API_SYMBOLS.filter((s) => !options.omit?.includes(s));
  writeStubLibrary(join(lib, 'libtensorflow.so.2.9.1'), symbols, 'libtensorflow.so.2');
  writeStubLibrary(join(lib, 'libtensorflow_framework.so.2.9.1'), ['TF_FrameworkStub'], 'libtensorflow_framework.so.2');
  for (const stem of ['libtensorflow', 'libtensorflow_framework']) {
    symlinkSync(`${stem}.so.2.9.1`, join(lib, `${stem}.so.2`));
    symlinkSync(`${stem}.so.2`, join(lib, `${stem}.so`));
  }
  for (const h of HEADERS) {
    mkdirSync(dirname(join(dir, 'include', h)), { recursive: true });
    writeFileSync(join(dir, 'include', h), `/* stub of ${h} */\n`);
  }
  writeFileSync(join(dir, 'LICENSE'), 'stub\n');
  return dir;
}

/** Packs `dir`'s contents into a .tar.gz the way libtensorflow's archive is (paths from its root). */
export function tarGz(dir: string, out: string): string {
  execFileSync('tar', ['-czf', out, '-C', dir, '.']);
  return out;
}

/** A zip archive (deflated members) of `files`: name → content. */
export function zip(files: Record<string, string | Uint8Array>): Buffer {
  return Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([name, content]) => [name, typeof content === 'string' ? strToU8(content) : content]))));
}

/** A loopback HTTP server (127.0.0.1, port 0) that records the paths it was asked for. */
export async function loopback(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise<void>((done) => server.close(() => done())) };
}

/** A route context for tests: Linux x86-64 with glibc 2.36, log lines collected in `lines`. */
export function testContext(env: Env, cacheDir: string, lines: string[] = [], tensorflowVersion = '2.21.0'): RouteContext {
  return { env, cacheDir, tensorflowVersion, log: (l) => lines.push(l), platform: 'linux', arch: 'x64', glibc: '2.36' };
}
