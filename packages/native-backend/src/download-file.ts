import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface Downloaded {
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** A download that did not produce a file: HTTP status, network error, or digest mismatch. */
export class DownloadError extends Error {
  constructor(
    readonly url: string,
    detail: string,
  ) {
    super(`${url}: ${detail}`);
    this.name = 'DownloadError';
  }
}

/** A progress callback that logs a line every `step` bytes (`  … 100 MB of 274 MB`). */
export function progressLines(log: (line: string) => void, step = 100e6): (bytes: number, total?: number) => void {
  let next = step;
  return (bytes, total) => {
    if (bytes < next) return;
    next = (Math.floor(bytes / step) + 1) * step;
    log(`  … ${(bytes / 1e6).toFixed(0)} MB${total ? ` of ${(total / 1e6).toFixed(0)} MB` : ''}`);
  };
}

/** The message of a fetch failure with its cause (`fetch failed (getaddrinfo ENOTFOUND host)`). */
export function fetchFailure(e: unknown): string {
  const cause = (e as { cause?: { message?: string; code?: string } }).cause;
  return `${(e as Error).message}${cause?.message ? ` (${cause.message})` : cause?.code ? ` (${cause.code})` : ''}`;
}

/**
 * Streams `url` into `file` (through a temp file and a rename, so `file` is whole or absent),
 * hashing as it goes. With `sha256`, a different digest is an error and nothing is kept.
 * `timeoutMs` bounds the wait for the response headers, not the transfer.
 */
export async function downloadFile(
  url: string,
  file: string,
  options: { sha256?: string; timeoutMs?: number; onProgress?: (bytes: number, total?: number) => void } = {},
): Promise<Downloaded> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no response in ${(options.timeoutMs ?? 30_000) / 1000} s`)), options.timeoutMs ?? 30_000);
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow', signal: controller.signal });
  } catch (e) {
    throw new DownloadError(url, `download failed: ${controller.signal.aborted ? (controller.signal.reason as Error).message : fetchFailure(e)}`);
  } finally {
    clearTimeout(timer);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new DownloadError(url, `download failed: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
  }
  const total = Number(res.headers.get('content-length')) || undefined;
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.part-${process.pid}`;
  const hash = createHash('sha256');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      options.onProgress?.(bytes, total);
      done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>), meter, createWriteStream(tmp));
  } catch (e) {
    await rm(tmp, { force: true });
    throw new DownloadError(url, `download interrupted after ${bytes} bytes: ${fetchFailure(e)}`);
  }
  const sha256 = hash.digest('hex');
  if (options.sha256 && options.sha256.toLowerCase() !== sha256) {
    await rm(tmp, { force: true });
    throw new DownloadError(url, `checksum mismatch: expected sha256 ${options.sha256.toLowerCase()}, got ${sha256} (${bytes} bytes); the download was discarded`);
  }
  await rename(tmp, file);
  return { file, bytes, sha256 };
}
