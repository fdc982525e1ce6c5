import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendDurable } from './durable-files.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'elbo-durable-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('appendDurable', () => {
  it('appends and returns the committed length', async () => {
    const f = join(dir, 'm.jsonl');
    let n = await appendDurable(f, 'a\n', 0);
    n = await appendDurable(f, 'bb\n', n);
    expect(n).toBe(5);
    expect(await readFile(f, 'utf8')).toBe('a\nbb\n');
  });

  it('cuts off a torn write past the committed length before appending', async () => {
    const f = join(dir, 'm.jsonl');
    await writeFile(f, 'a\n{"half');
    expect(await appendDurable(f, 'b\n', 2)).toBe(4);
    expect(await readFile(f, 'utf8')).toBe('a\nb\n');
  });
});
