/**
 * A real MLflow tracking server for the integration tests. `ensureMlflow()` creates (once) a
 * project-local virtual environment `.venv/` at the repository root with a pinned `mlflow` from
 * PyPI; `startMlflowServer()` runs `mlflow server` on 127.0.0.1 with a SQLite backend and a served
 * artifact folder in a temporary directory, waits for `/health`, and `stop()` ends it with all its
 * children (it runs in its own process group). Without Python, venv, pip or PyPI the tests fail
 * with a message that says what to install — they never pass silently.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The pinned MLflow server version (3.x; installs on Python 3.10+). */
export const MLFLOW_VERSION = '3.17.2';
export const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
export const venvDir = join(repoRoot, '.venv');
const marker = join(venvDir, `.elbo-mlflow-${MLFLOW_VERSION}`);
const lockDir = `${venvDir}.install-lock`;
/** An empty, fully migrated database: copying it saves a new server its schema migrations (~5 s). */
const templateDb = join(venvDir, `.elbo-mlflow-${MLFLOW_VERSION}-empty.db`);

const NEED = `MLflow integration tests need Python 3.10+ with venv and pip, and access to PyPI, to install mlflow==${MLFLOW_VERSION} into ${venvDir}`;

function run(cmd: string, args: string[], timeoutMs: number) {
  return spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
}

const tail = (s: string | null | undefined, n = 15) => (s ?? '').trim().split('\n').slice(-n).join('\n');

function mlflowBin(): string {
  return join(venvDir, 'bin', 'mlflow');
}

function installedVersion(): string | undefined {
  const py = join(venvDir, 'bin', 'python');
  if (!existsSync(py)) return undefined;
  const r = run(py, ['-c', 'import mlflow; print(mlflow.__version__)'], 120_000);
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function install(): void {
  const python = process.env['ELBO_TEST_PYTHON'] ?? 'python3';
  const v = run(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], 30_000);
  if (v.error || v.status !== 0) {
    throw new Error(
      `${NEED}.\n${python} was not found: install Python 3 (Debian/Ubuntu: apt-get install python3 python3-venv python3-pip), or set ELBO_TEST_PYTHON to a Python 3.10+ interpreter.`,
    );
  }
  const [major, minor] = v.stdout.trim().split('.').map(Number);
  if (major! < 3 || (major === 3 && minor! < 10)) {
    throw new Error(`${NEED}.\n${python} is Python ${v.stdout.trim()}: install Python 3.10 or newer, or set ELBO_TEST_PYTHON to one.`);
  }
  if (!existsSync(join(venvDir, 'bin', 'python'))) {
    const venv = run(python, ['-m', 'venv', venvDir], 300_000);
    if (venv.status !== 0) {
      rmSync(venvDir, { recursive: true, force: true });
      throw new Error(`${NEED}.\n\`${python} -m venv\` failed: install the venv module (Debian/Ubuntu: apt-get install python3-venv).\n${tail(venv.stderr)}`);
    }
  }
  const pip = run(join(venvDir, 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', `mlflow==${MLFLOW_VERSION}`], 1_200_000);
  if (pip.status !== 0) {
    const noPip = /No module named pip/.test(pip.stderr ?? '');
    throw new Error(
      noPip
        ? `${NEED}.\nThe virtual environment has no pip: install python3-pip / python3-venv (Debian/Ubuntu: apt-get install python3-pip python3-venv), then delete ${venvDir}.`
        : `${NEED}.\npip could not install mlflow==${MLFLOW_VERSION} from PyPI (needs network access to https://pypi.org, or PIP_INDEX_URL pointing at a mirror):\n${tail(pip.stderr)}`,
    );
  }
  if (installedVersion() !== MLFLOW_VERSION) throw new Error(`${NEED}.\nmlflow==${MLFLOW_VERSION} was installed but does not import; delete ${venvDir} and run the tests again.`);
  writeFileSync(marker, `${new Date().toISOString()}\n`);
}

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Makes sure `.venv/bin/mlflow` is the pinned version, installing it the first time (about a minute
 * and a half). Test files running in parallel take turns through a lock folder. Returns the path of
 * the `mlflow` executable.
 */
export function ensureMlflow(): string {
  if (existsSync(marker) && existsSync(mlflowBin())) return mlflowBin();
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch {
      if (existsSync(marker)) return mlflowBin();
      const age = Date.now() - (existsSync(lockDir) ? statSync(lockDir).mtimeMs : Date.now());
      if (age > 20 * 60_000) rmSync(lockDir, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`${NEED}.\nTimed out waiting for another test process to install it (${lockDir}).`);
      sleepSync(500);
    }
  }
  try {
    if (!existsSync(marker)) {
      if (installedVersion() === MLFLOW_VERSION) writeFileSync(marker, `${new Date().toISOString()}\n`);
      else install();
    }
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
  return mlflowBin();
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolvePort(port));
    });
  });
}

export interface MlflowServer {
  readonly uri: string;
  readonly port: number;
  /** Holds mlflow.db, artifacts/ and server.log. */
  readonly dir: string;
  /** Starts it (again) on the same port with the same database and artifacts. */
  start(): Promise<void>;
  /** Stops the server and all its processes. */
  stop(): Promise<void>;
  /** Stops it and removes its folder. */
  dispose(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) killGroup(c, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts `mlflow server` (SQLite backend, served artifacts) on a free port and waits for /health. */
export async function startMlflowServer(): Promise<MlflowServer> {
  const bin = ensureMlflow();
  const dir = mkdtempSync(join(tmpdir(), 'elbo-mlflow-server-'));
  const port = await freePort();
  const uri = `http://127.0.0.1:${port}`;
  const db = join(dir, 'mlflow.db');
  const fresh = !existsSync(templateDb);
  if (!fresh) copyFileSync(templateDb, db);
  let child: ChildProcess | undefined;

  const start = async () => {
    const log = openSync(join(dir, 'server.log'), 'a');
    const args = [
      'server',
      '--backend-store-uri',
      `sqlite:///${db}`,
      '--artifacts-destination',
      join(dir, 'artifacts'),
      '--serve-artifacts',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--workers',
      '1',
    ];
    // Job execution (a task queue with its own processes) is not needed by the tracking API.
    const c = spawn(bin, args, { cwd: dir, detached: true, stdio: ['ignore', log, log], env: { ...process.env, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' } });
    closeSync(log);
    child = c;
    running.add(c);
    let exited = false;
    c.once('exit', () => (exited = true));
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (exited) throw new Error(`mlflow server exited before it was ready:\n${tail(readFileSync(join(dir, 'server.log'), 'utf8'), 30)}`);
      const ok = await fetch(`${uri}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    await stop();
    throw new Error(`mlflow server did not answer ${uri}/health within 120 s:\n${tail(readFileSync(join(dir, 'server.log'), 'utf8'), 30)}`);
  };

  const stop = async () => {
    const c = child;
    if (!c) return;
    child = undefined;
    const gone = new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));
    killGroup(c, 'SIGTERM');
    const timer = setTimeout(() => killGroup(c, 'SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
    // The group outlives its leader when a child lingers: wait for all of it.
    const deadline = Date.now() + 10_000;
    while (groupAlive(c.pid!) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (groupAlive(c.pid!)) killGroup(c, 'SIGKILL');
    running.delete(c);
  };

  await start();
  if (fresh) {
    // Nothing has written to it yet but the migrations (committed; SQLite's default journal mode).
    const tmp = `${templateDb}.tmp-${process.pid}`;
    copyFileSync(db, tmp);
    renameSync(tmp, templateDb);
  }
  return {
    uri,
    port,
    dir,
    start,
    stop,
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
