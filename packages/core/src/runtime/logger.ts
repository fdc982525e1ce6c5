/** Where components write human-readable messages. Injected; never a global. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}
export const Logger = Symbol('Logger');

/** Writes to stderr so that stdout stays clean for data (CSV, JSON) a command prints. */
export class StderrLogger implements Logger {
  constructor(private readonly verbose = false) {}
  info(message: string): void {
    process.stderr.write(`${message}\n`);
  }
  warn(message: string): void {
    process.stderr.write(`warning: ${message}\n`);
  }
  debug(message: string): void {
    if (this.verbose) process.stderr.write(`debug: ${message}\n`);
  }
}

/** Swallows everything; for tests and library use. */
export class SilentLogger implements Logger {
  info(): void {}
  warn(): void {}
  debug(): void {}
}

/** An `onProgress` for long work: `<what>: done/total <unit> (seconds)` every 2 s once it has run 2 s, and at the end if any came before. */
export function progressLog(logger: Logger, what: string, unit: string): (done: number, total: number) => void {
  const t0 = performance.now();
  let next = 2;
  return (done, total) => {
    const s = (performance.now() - t0) / 1000;
    if (s < next && !(done >= total && next > 2)) return;
    next = s + 2;
    logger.info(`${what}: ${done}/${total} ${unit} (${s.toFixed(1)} s)`);
  };
}
