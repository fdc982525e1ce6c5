import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ArtifactEntry } from './run-files.js';

/**
 * Appends `data` to `path` and fsyncs it. `committedBytes` is the length the file had after the last
 * successful append: anything beyond it (a torn write from a failed append) is cut off first, so a
 * retry never leaves half a line in the middle of the file. Returns the new committed length.
 */
export async function appendDurable(path: string, data: string, committedBytes: number): Promise<number> {
  const fh = await open(path, 'a');
  try {
    const { size } = await fh.stat();
    if (size > committedBytes) await fh.truncate(committedBytes);
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return committedBytes + Buffer.byteLength(data);
}

/** Copies `src` to `dest` atomically (temp file in dest's folder, fsync, rename). */
export async function copyFileAtomic(src: string, dest: string): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const tmp = join(dirname(dest), `.${basename(dest)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await copyFile(src, tmp);
    const fh = await open(tmp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, dest);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Size and SHA-256 of a file, read as a stream (checkpoints can be large). */
export async function describeFile(path: string): Promise<ArtifactEntry> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    const b = chunk as Buffer;
    size += b.length;
    hash.update(b);
  }
  return { size, sha256: hash.digest('hex') };
}

/** Every regular file under `root` (itself when it is a file), as paths relative to it with `/`. */
export async function listFiles(root: string): Promise<string[]> {
  if (!(await stat(root)).isDirectory()) return [''];
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(join(root, rel), { withFileTypes: true });
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(r);
      else if (e.isFile() && !e.name.includes('.tmp-')) out.push(r);
    }
  };
  await walk('');
  return out;
}
