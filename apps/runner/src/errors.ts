import { TensorSizeError } from '@elbo/compute';
import { ConfigError, DataError } from '@elbo/core';

/** Exit statuses: 0 success, 1 failure while running, 2 bad input (nothing written), 130 interrupted. */
export const Exit = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** Prints an error the way a user can act on it and returns the exit status. */
export function report(e: unknown, write: (s: string) => void = (s) => process.stderr.write(s)): number {
  // A size too large to allocate is bad input too: refused before anything is written.
  if (e instanceof ConfigError || e instanceof DataError || e instanceof TensorSizeError) {
    write(`error: ${e.message.split('\n').join('\nerror: ')}\n`);
    return Exit.usage;
  }
  const err = e as Error;
  write(`error: ${err?.message ?? String(e)}\n`);
  if (process.env['ELBO_DEBUG'] && err?.stack) write(`${err.stack}\n`);
  return Exit.failed;
}
