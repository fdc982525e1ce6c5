import { writeFile } from 'node:fs/promises';
import { crc32, deflateRawSync } from 'node:zlib';
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
 * Encodes named NPY members as a zip archive, the way `np.savez` (stored) or `np.savez_compressed`
 * (`compress: true`, raw deflate) lays out an .npz: `<name>.npy` members, each a local header and its
 * data, then the central directory and the end record. No zip64 records: for test files and small
 * exports, not for archives over 4 GiB.
 */
export function encodeNpz(arrays: Readonly<Record<string, Uint8Array>>, options: { compress?: boolean } = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  const names = Object.keys(arrays);
  for (const name of names) {
    const data = arrays[name]!;
    const fileName = new TextEncoder().encode(`${name}.npy`);
    const packed = options.compress ? deflateRawSync(data) : data;
    const method = options.compress ? 8 : 0;
    const crc = crc32(data) >>> 0;
    const local = new Uint8Array(30 + fileName.length);
    const l = new DataView(local.buffer);
    l.setUint32(0, 0x04034b50, true);
    l.setUint16(4, 20, true); // version needed
    l.setUint16(8, method, true);
    l.setUint32(14, crc, true);
    l.setUint32(18, packed.length, true);
    l.setUint32(22, data.length, true);
    l.setUint16(26, fileName.length, true);
    local.set(fileName, 30);
    const entry = new Uint8Array(46 + fileName.length);
    const c = new DataView(entry.buffer);
    c.setUint32(0, 0x02014b50, true);
    c.setUint16(4, 20, true); // version made by
    c.setUint16(6, 20, true); // version needed
    c.setUint16(10, method, true);
    c.setUint32(16, crc, true);
    c.setUint32(20, packed.length, true);
    c.setUint32(24, data.length, true);
    c.setUint16(28, fileName.length, true);
    c.setUint32(42, offset, true);
    entry.set(fileName, 46);
    parts.push(local, packed);
    central.push(entry);
    offset += local.length + packed.length;
  }
  const cdSize = central.reduce((s, e) => s + e.length, 0);
  const end = new Uint8Array(22);
  const e = new DataView(end.buffer);
  e.setUint32(0, 0x06054b50, true);
  e.setUint16(8, names.length, true);
  e.setUint16(10, names.length, true);
  e.setUint32(12, cdSize, true);
  e.setUint32(16, offset, true);
  const all = [...parts, ...central, end];
  const out = new Uint8Array(all.reduce((s, p) => s + p.length, 0));
  let p = 0;
  for (const part of all) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

/** Writes `encodeNpz(arrays, options)` to `file`. */
export async function writeNpz(file: string, arrays: Readonly<Record<string, Uint8Array>>, options: { compress?: boolean } = {}): Promise<void> {
  await writeFile(file, encodeNpz(arrays, options));
}
