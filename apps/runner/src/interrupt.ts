import type { Logger } from '@elbo/core';
import { Exit } from './errors.js';

/**
 * Ctrl-C and SIGTERM abort `signal`, logging `interrupted: <message>`; a second one exits at once
 * with Exit.interrupted. `dispose` removes the handlers.
 */
export function interruptSignal(logger: Logger, message: string): { readonly signal: AbortSignal; dispose(): void } {
  const abort = new AbortController();
  let count = 0;
  const on = () => {
    count += 1;
    if (count > 1) process.exit(Exit.interrupted);
    logger.info(`\ninterrupted: ${message}`);
    abort.abort();
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return { signal: abort.signal, dispose: () => (process.off('SIGINT', on), process.off('SIGTERM', on)) };
}
