import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, StderrLogger } from '@elbo/core';
import { serveSite } from '@elbo/explorer';
import type { MapMethod } from '@elbo/uses';
import { interruptSignal } from '../interrupt.js';
import { writeWebSite } from './export-web.js';

export interface ExploreArgs {
  readonly runDir: string;
  readonly port: number;
  readonly open: boolean;
  readonly mapRows?: number;
  readonly method?: MapMethod;
}

/**
 * `elbo explore <run-dir> [--port 0] [--open]`: exports the run's site into a temporary folder and
 * serves it on 127.0.0.1 until Ctrl-C (or `signal`); prints the URL on stdout.
 */
export async function exploreCommand(args: ExploreArgs, signal?: AbortSignal): Promise<number> {
  if (!(Number.isInteger(args.port) && args.port >= 0 && args.port < 65536)) throw new ConfigError(`--port: expected 0 (any free port) to 65535, got ${args.port}`);
  const dir = await mkdtemp(join(tmpdir(), 'elbo-explore-'));
  const interrupt = signal ? undefined : interruptSignal(new StderrLogger(), 'the explorer stops');
  try {
    await writeWebSite({ runDir: args.runDir, out: dir, mapRows: args.mapRows, method: args.method });
    const server = await serveSite(dir, args.port);
    process.stdout.write(`${server.url}\n`);
    if (args.open) openInBrowser(server.url);
    const stop = signal ?? interrupt!.signal;
    await new Promise<void>((ok) => (stop.aborted ? ok() : stop.addEventListener('abort', () => ok(), { once: true })));
    await server.close();
    return signal ? 0 : 130;
  } finally {
    interrupt?.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Opens the URL in the desktop's browser (best effort: a headless machine has none). */
function openInBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`could not start ${cmd}; open ${url} in a browser\n`));
  child.unref();
}
