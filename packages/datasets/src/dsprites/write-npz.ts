import { writeFile } from 'node:fs/promises';
import { zipSync } from 'fflate';
import { NPY_MAGIC } from './read-npy.js';

/** Values an NPY array can be written from; bytes are copied in memory order (little-endian hosts). */
export type NpyValues = Uint8Array | Int32Array | Float32Array | Float64Array | BigInt64Array;

/**
 * Encodes one array as NPY version 1.0: magic, version, uint16 header length, the header dict
 * (`descr`, `fortran_order: False`, `shape`) padded with spaces and a newline so the data starts on a
 * 64-byte boundary, then the values. `descr` must match the values' element type (`|u1` with
 * Uint8Array, `<i8` with BigInt64Array, `<f8` with Float64Array…); it is written as given, so tests
 * can also produce mislabelled arrays.
 */
export function encodeNpy(descr: string, shape: readonly number[], values: NpyValues): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + dict.length + 1;
  const header = `${dict}${' '.repeat((64 - (unpadded % 64)) % 64)}\n`;
  const body = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(10 + header.length + body.length);
  out.set(NPY_MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(body, 10 + header.length);
  return out;
}

/**
 * Encodes named NPY members as an .npz the way `np.savez` (stored) or `np.savez_compressed`
 * (`compress: true`, deflated) lays one out: a zip of `<name>.npy` members, written by fflate's
 * synchronous `zipSync` (no zip64 records: for test files and small exports, not archives over 4 GiB).
 */
export function encodeNpz(arrays: Readonly<Record<string, Uint8Array>>, options: { compress?: boolean } = {}): Uint8Array {
  const members = Object.fromEntries(Object.entries(arrays).map(([name, data]) => [`${name}.npy`, data]));
  return zipSync(members, { level: options.compress ? 6 : 0 });
}

/** Writes `encodeNpz(arrays, options)` to `file`. */
export async function writeNpz(file: string, arrays: Readonly<Record<string, Uint8Array>>, options: { compress?: boolean } = {}): Promise<void> {
  await writeFile(file, encodeNpz(arrays, options));
}
