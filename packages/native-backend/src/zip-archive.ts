import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ZipReader, type ZipMember } from '@elbo/core';

/** One member of a zip archive (a Python wheel), from its central directory. */
export type ZipEntry = ZipMember;

/** The members of a zip file, in archive order (stored and deflated members; zip64 included). */
export async function listZip(file: string): Promise<ZipEntry[]> {
  const zip = await ZipReader.open(file);
  try {
    return [...zip.members];
  } finally {
    zip.close();
  }
}

/** Writes member `name` of an opened archive to `dest`, checking its size and CRC-32 as it streams. */
export async function extractZipEntry(zip: ZipReader, name: string, dest: string): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  await pipeline(await zip.stream(name), createWriteStream(dest));
}
