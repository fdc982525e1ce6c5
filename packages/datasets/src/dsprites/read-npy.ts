import { DataError } from '@elbo/core';

/** The NPY magic string: byte 0x93 then "NUMPY". */
export const NPY_MAGIC = Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);

/** One array from an .npy file (or an .npz member): its header and its raw little-endian bytes. */
export interface NpyArray {
  /** The dtype as the header spells it: `|u1`, `<i8`, `<f8`… */
  readonly descr: string;
  /** Bytes per value. */
  readonly itemSize: number;
  readonly shape: readonly number[];
  /** The values row-major (C order), a view into the file's bytes. */
  readonly data: Uint8Array;
}

/** `(737280, 64, 64)`, as numpy prints a shape. */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** An NPY header: what the values are and where they start. */
export interface NpyHeader {
  readonly descr: string;
  readonly itemSize: number;
  readonly shape: readonly number[];
  /** Offset of the first value from the start of the .npy bytes. */
  readonly dataStart: number;
  /** Bytes the values take: product(shape) × itemSize. */
  readonly dataLength: number;
}

/**
 * Parses an NPY header (numpy's `.npy`, versions 1.0–3.0): the magic `\x93NUMPY`, a major and minor
 * version byte, the header length (uint16 LE for 1.0, uint32 LE for 2.0/3.0), then an ASCII Python
 * dict literal `{'descr': '<f8', 'fortran_order': False, 'shape': (737280, 6), }` padded so the
 * values start on a 64-byte boundary. Returns undefined when `bytes` (the start of the array) is too
 * short to hold the whole header yet, so a streamed array can be checked before its values arrive.
 *
 * Supported: simple numeric dtypes (`b1`, `u1…u8`, `i1…i8`, `f4`, `f8`) little-endian or
 * byte-order-free, C order. Object arrays (pickles), structured dtypes, big-endian data and Fortran
 * order are refused with a DataError. `file` and `name` only label the errors (`<file>: <name>: …`).
 */
export function parseNpyHeader(bytes: Uint8Array, file: string, name: string): NpyHeader | undefined {
  const fail = (detail: string): never => {
    throw new DataError(file, `${name}: ${detail}`);
  };
  if (bytes.length < 12) {
    if (NPY_MAGIC.some((b, i) => i < bytes.length && bytes[i] !== b)) fail('not an NPY array (no \\x93NUMPY magic)');
    return undefined;
  }
  if (NPY_MAGIC.some((b, i) => bytes[i] !== b)) fail('not an NPY array (no \\x93NUMPY magic)');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let start: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    headerLength = view.getUint32(8, true);
    start = 12;
  } else {
    return fail(`unsupported NPY version ${major}.${bytes[7]}`);
  }
  const dataStart = start + headerLength;
  if (dataStart > bytes.length) return undefined;
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, dataStart));

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  if (descr === undefined) return fail(`unsupported dtype in NPY header ${header.trim()} (only simple numeric dtypes are read)`);
  const dtype = /^([<>|=]?)([biuf])(\d+)$/.exec(descr);
  if (!dtype) return fail(`unsupported dtype '${descr}' (only simple numeric dtypes are read; object arrays need Python's pickle)`);
  const itemSize = Number(dtype[3]);
  if (dtype[1] === '>' && itemSize > 1) fail(`big-endian dtype '${descr}' is not supported`);
  if (/'fortran_order'\s*:\s*True/.test(header)) fail('Fortran-order arrays are not supported (save with C order)');
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (shapeText === undefined) return fail(`no shape in NPY header ${header.trim()}`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) fail(`bad shape (${shapeText}) in NPY header`);
  const dataLength = shape.reduce((a, b) => a * b, 1) * itemSize;
  return { descr: descr.replace(/^=/, '<'), itemSize, shape, dataStart, dataLength };
}

/** The error for an array whose values take `actual` bytes instead of the header's `h.dataLength`. */
export function npyLengthProblem(h: NpyHeader, actual: number): string | undefined {
  const expected = h.dataLength;
  if (actual < expected) return `truncated: shape ${formatShape(h.shape)} of '${h.descr}' needs ${expected} data bytes, the array has ${actual} (${expected - actual} missing)`;
  if (actual > expected) return `${actual - expected} unexpected bytes after the ${formatShape(h.shape)} values of '${h.descr}' the header declares`;
  return undefined;
}

/**
 * Parses a whole NPY array (see parseNpyHeader for the format and what is supported). A data section
 * shorter or longer than the shape says is a DataError.
 */
export function parseNpy(bytes: Uint8Array, file: string, name: string): NpyArray {
  const h = parseNpyHeader(bytes, file, name);
  if (!h) throw new DataError(file, `${name}: truncated NPY header (${bytes.length} bytes)`);
  const problem = npyLengthProblem(h, bytes.length - h.dataStart);
  if (problem) throw new DataError(file, `${name}: ${problem}`);
  return { descr: h.descr, itemSize: h.itemSize, shape: h.shape, data: bytes.subarray(h.dataStart) };
}
