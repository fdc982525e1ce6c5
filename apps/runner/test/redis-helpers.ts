import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { elboBin } from './helpers.js';

/** Whether Debian's redis-server is installed (the BullMQ specs need it; .ci/run installs it). */
export const hasRedis = spawnSync('redis-server', ['--version']).status === 0;

/** A TCP port nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` holds, polling; fails after `ms`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(200);
  }
}

/**
 * A redis-server of the test's own: a password, an append-only file in `dir` (so a restart keeps
 * the queue, as a production Redis with persistence does), bound to `hosts` on a free port.
 */
export class RedisServer {
  private child: ChildProcess | undefined;
  port = 0;

  constructor(
    readonly dir: string,
    readonly password: string,
    readonly hosts: readonly string[] = ['127.0.0.1'],
  ) {}

  url(host = this.hosts[0]!): string {
    return `redis://:${this.password}@${host}:${this.port}`;
  }

  private ping(): boolean {
    const r = spawnSync('redis-cli', ['-h', this.hosts[0]!, '-p', String(this.port), '--no-auth-warning', '-a', this.password, 'ping'], { encoding: 'utf8' });
    return r.stdout.trim() === 'PONG';
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    mkdirSync(this.dir, { recursive: true });
    const args = ['--port', String(this.port), '--bind', ...this.hosts, '--requirepass', this.password, '--save', '', '--appendonly', 'yes', '--dir', this.dir];
    this.child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const log = createWriteStream(join(this.dir, 'redis.log'), { flags: 'a' });
    this.child.stdout!.pipe(log);
    this.child.stderr!.pipe(log);
    await until('redis-server to answer PING', () => this.ping(), 15_000);
  }

  /** Stops the server (SIGTERM: it syncs its append-only file first) and waits for it to exit. */
  async stop(): Promise<void> {
    const c = this.child;
    this.child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
  }

  /** Runs redis-cli against this server. */
  cli(...args: string[]): string {
    return execFileSync('redis-cli', ['-h', this.hosts[0]!, '-p', String(this.port), '--no-auth-warning', '-a', this.password, ...args], { encoding: 'utf8' }).trim();
  }
}

/** An `elbo worker` process (in network namespace `netns` when given); its output goes to `log`. */
export class WorkerProcess {
  readonly child: ChildProcess;
  private readonly exited: Promise<unknown>;

  constructor(
    readonly log: string,
    redisUrl: string,
    args: readonly string[],
    readonly netns?: string,
    env: Record<string, string> = {},
  ) {
    const cmd = [process.execPath, elboBin, 'worker', ...args];
    const out = createWriteStream(log, { flags: 'a' });
    // The password travels in the environment, never on a command line.
    const environment = { ...process.env, ...env, ELBO_REDIS_URL: redisUrl };
    this.child = netns
      ? spawn('ip', ['netns', 'exec', netns, ...cmd], { stdio: ['ignore', 'pipe', 'pipe'], env: environment })
      : spawn(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: environment });
    this.child.stdout!.pipe(out);
    this.child.stderr!.pipe(out);
    this.exited = new Promise((r) => this.child.once('exit', r));
  }

  output(): string {
    return existsSync(this.log) ? readFileSync(this.log, 'utf8') : '';
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    await this.exited;
  }
}

/**
 * Worker "hosts": network namespaces joined to this one by veth pairs, each with an address of
 * its own and a host-side address for Redis to bind to; every namespace routes through the host,
 * so a server on any host-side address (`hostSide[0]`, say) is reachable from all of them. `create` returns undefined with the
 * reason when namespaces cannot be made here (not root, no `ip`, no permission).
 */
export class NetnsHosts {
  readonly names: string[] = [];
  readonly hostSide: string[] = [];
  private readonly links: string[] = [];

  static create(n: number): { hosts?: NetnsHosts; reason?: string } {
    const h = new NetnsHosts();
    const tag = `e16${process.pid % 100000}`;
    const net = 16 + (process.pid % 200);
    try {
      for (let i = 0; i < n; i++) {
        const ns = `${tag}-w${i}`;
        const outside = `${tag}h${i}`;
        const inside = `${tag}n${i}`;
        const run = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
        run('netns', 'add', ns);
        h.names.push(ns);
        // A resolver of its own that answers at once (nothing listens on the namespace's loopback):
        // the machine's one is out of reach from here, and a lookup of it would wait out its timeouts
        // (libraries that read process.report do reverse lookups of open sockets).
        mkdirSync(join('/etc/netns', ns), { recursive: true });
        writeFileSync(join('/etc/netns', ns, 'resolv.conf'), 'nameserver 127.0.0.1\n');
        run('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside);
        h.links.push(outside);
        run('link', 'set', inside, 'netns', ns);
        run('addr', 'add', `10.${net}.${i + 1}.1/30`, 'dev', outside);
        run('link', 'set', outside, 'up');
        run('netns', 'exec', ns, 'ip', 'addr', 'add', `10.${net}.${i + 1}.2/30`, 'dev', inside);
        run('netns', 'exec', ns, 'ip', 'link', 'set', inside, 'up');
        run('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
        // Through its veth pair, the host is the namespace's way to every address of the host (the other host-side ones too).
        run('netns', 'exec', ns, 'ip', 'route', 'add', 'default', 'via', `10.${net}.${i + 1}.1`);
        h.hostSide.push(`10.${net}.${i + 1}.1`);
      }
      return { hosts: h };
    } catch (e) {
      const err = e as Error & { stderr?: Buffer };
      h.remove();
      return { reason: (err.stderr?.toString().trim() || err.message).split('\n')[0] };
    }
  }

  remove(): void {
    for (const l of this.links.splice(0)) spawnSync('ip', ['link', 'del', l]);
    for (const ns of this.names.splice(0)) {
      spawnSync('ip', ['netns', 'del', ns]);
      rmSync(join('/etc/netns', ns), { recursive: true, force: true });
    }
  }
}

/**
 * A TCP relay from `host`:(a free port) to 127.0.0.1:`port`, in this process: how worker hosts in
 * network namespaces reach a server that listens on loopback only (the MLflow test server).
 */
export class TcpRelay {
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  port = 0;

  constructor(
    readonly host: string,
    readonly target: number,
  ) {}

  async start(): Promise<void> {
    const server = createServer((inbound) => {
      const outbound = connect(this.target, '127.0.0.1');
      for (const [a, b] of [
        [inbound, outbound],
        [outbound, inbound],
      ] as const) {
        this.sockets.add(a);
        a.pipe(b);
        a.on('error', () => b.destroy());
        a.on('close', () => (this.sockets.delete(a), b.destroy()));
      }
    });
    this.server = server;
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(0, this.host, () => done());
    });
    this.port = (server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => (this.server ? this.server.close(r) : r(undefined)));
  }
}
