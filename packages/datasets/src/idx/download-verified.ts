import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DataError, writeFileAtomic, type Logger } from '@elbo/core';

/** Lower-case hex SHA-256 of `bytes`. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** What happened to one file: it was already cached with the right digest, or it was fetched now. */
export type DownloadOutcome = 'cached' | 'downloaded';

/**
 * Makes `file` hold the bytes served at `url`, verified against `sha256` (hex).
 *
 * - If `file` exists with the expected digest, nothing is requested (`cached`).
 * - Otherwise the body is fetched (Node's built-in fetch) and hashed in memory; only when the digest
 *   matches is it written, through writeFileAtomic (temp file in the cache folder, fsync, rename),
 *   so the cache never holds a partial or unverified file.
 * - HTTP errors, network failures and checksum mismatches are DataErrors naming the URL; a mismatch
 *   gives the expected and actual digests and writes nothing.
 */
export async function downloadVerified(url: string, file: string, sha256: string, logger: Logger): Promise<DownloadOutcome> {
  const expected = sha256.toLowerCase();
  const existing = await readFile(file).catch(() => undefined);
  if (existing) {
    const actual = sha256Hex(existing);
    if (actual === expected) return 'cached';
    logger.warn(`${file}: cached copy has sha256 ${actual}, expected ${expected}; downloading it again`);
  }
  logger.info(`downloading ${url}`);
  let body: Uint8Array;
  try {
    const res = await fetch(url, { redirect: 'follow' });
    if (!res.ok) {
      await res.body?.cancel();
      throw new DataError(url, `download failed: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    }
    body = new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    if (e instanceof DataError) throw e;
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    throw new DataError(url, `download failed: ${(e as Error).message}${cause ? ` (${cause})` : ''}`);
  }
  const actual = sha256Hex(body);
  if (actual !== expected) {
    throw new DataError(
      url,
      `checksum mismatch: expected sha256 ${expected}, got ${actual} (${body.length} bytes); the download was discarded, nothing was written to ${dirname(file)}`,
    );
  }
  await writeFileAtomic(file, body);
  return 'downloaded';
}
