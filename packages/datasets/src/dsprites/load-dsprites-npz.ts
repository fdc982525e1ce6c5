import { DataError } from '@elbo/core';
import type { FactorGrid } from './factor-grid.js';
import type { GridImageSource } from './grid-split.js';
import { DSPRITES_SIZE, dspritesGrid } from './dsprites-grid.js';
import { formatShape, npyLengthProblem, parseNpy, parseNpyHeader, type NpyArray, type NpyHeader } from './read-npy.js';
import { NpzFile } from './read-npz.js';

/** The arrays of the dSprites file that the loader reads (`metadata`, a pickle, is not read). */
export const DSPRITES_ARRAYS = ['imgs', 'latents_classes', 'latents_values'] as const;

/**
 * Images held from a dSprites-layout .npz file, image i = grid point i, bit-packed: pixel j of the
 * flattened image array is bit `j mod 8` of byte `⌊j/8⌋`. dSprites' pixels are 0/1, so this holds
 * the 3.0 GB `imgs` array in 377 MB, and `write` unpacks one image (4,096 pixels) per call.
 */
export class NpzImageSource implements GridImageSource {
  readonly dim: number;

  constructor(
    readonly grid: FactorGrid,
    /** All pixels, bit-packed (`grid.count × dim` bits). */
    readonly bits: Uint8Array,
    readonly side: number,
    readonly file: string,
  ) {
    this.dim = side * side;
  }

  write(index: number, out: Float32Array, offset: number): void {
    const dim = this.dim;
    const bits = this.bits;
    const from = index * dim;
    for (let j = 0; j < dim; j++) {
      const p = from + j;
      out[offset + j] = (bits[p >>> 3]! >>> (p & 7)) & 1;
    }
  }
}

/** Reads value i of a numeric NPY array as a JS number (little-endian; int64 exact up to 2^53). */
function numberReader(a: NpyArray): (i: number) => number {
  const v = new DataView(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const kind = a.descr.replace(/^[<>|=]/, '');
  switch (kind) {
    case 'u1':
    case 'b1':
      return (i) => a.data[i]!;
    case 'i1':
      return (i) => v.getInt8(i);
    case 'i2':
      return (i) => v.getInt16(2 * i, true);
    case 'u2':
      return (i) => v.getUint16(2 * i, true);
    case 'i4':
      return (i) => v.getInt32(4 * i, true);
    case 'u4':
      return (i) => v.getUint32(4 * i, true);
    case 'i8':
      return (i) => v.getInt32(8 * i + 4, true) * 4294967296 + v.getUint32(8 * i, true);
    case 'u8':
      return (i) => v.getUint32(8 * i + 4, true) * 4294967296 + v.getUint32(8 * i, true);
    case 'f4':
      return (i) => v.getFloat32(4 * i, true);
    case 'f8':
      return (i) => v.getFloat64(8 * i, true);
    default:
      throw new RangeError(`no reader for dtype '${a.descr}'`);
  }
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
const kind = (a: { descr: string }) => a.descr.replace(/^[<>|=]/, '');

/**
 * Reads and validates a dSprites-layout .npz (the official `dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz`
 * for the default `grid` and `side`). Checks, each failure one DataError naming the file and array
 * with the expected and actual value:
 *
 * - the three arrays `imgs`, `latents_classes`, `latents_values` are present;
 * - `imgs` is uint8 of shape (N, side, side) with N = grid.count (737,280), every pixel 0 or 1;
 * - `latents_classes` is an integer array (N, F) and row i equals the grid's classes of image i
 *   (the file's fixed order: posY fastest … color slowest), F = number of factors (6);
 * - `latents_values` is a float array (N, F) and row i holds the grid's values for those classes
 *   (to 1e-6 relative, so float32 copies pass).
 *
 * Memory: `imgs` (3.0 GB as uint8) is streamed out of the zip and bit-packed as it inflates, so
 * only the 377 MB of bits, the compressed file (26 MB) and one 1 MiB chunk are held; the factor
 * arrays (35 MB each) are checked and dropped, since the grid reproduces them exactly.
 */
export async function readDspritesNpz(file: string, grid: FactorGrid = dspritesGrid(), side = DSPRITES_SIZE): Promise<NpzImageSource> {
  const npz = await NpzFile.open(file);
  for (const name of DSPRITES_ARRAYS) {
    if (!npz.names.includes(name)) {
      throw new DataError(file, `array "${name}" is missing (the file holds: ${npz.names.join(', ') || 'nothing'}); expected the dSprites arrays ${DSPRITES_ARRAYS.join(', ')}`);
    }
  }
  const n = grid.count;
  const f = grid.sizes.length;
  const classes = parseNpy(await npz.read('latents_classes'), file, 'latents_classes');
  const values = parseNpy(await npz.read('latents_values'), file, 'latents_values');

  const checkHeaders = (imgs: NpyHeader) => {
    if (kind(imgs) !== 'u1') throw new DataError(file, `imgs: expected dtype uint8 ('|u1'), got '${imgs.descr}'`);
    if (!/^[iu][1248]$/.test(kind(classes))) throw new DataError(file, `latents_classes: expected an integer dtype (int64 '<i8' in the official file), got '${classes.descr}'`);
    if (!/^f[48]$/.test(kind(values))) throw new DataError(file, `latents_values: expected a float dtype (float64 '<f8' in the official file), got '${values.descr}'`);
    for (const [name, shape, want] of [
      ['imgs', imgs.shape, [n, side, side]],
      ['latents_classes', classes.shape, [n, f]],
      ['latents_values', values.shape, [n, f]],
    ] as const) {
      if (!sameShape(shape, want)) throw new DataError(file, `${name}: expected shape ${formatShape(want)}, got ${formatShape(shape)}`);
    }
  };
  const bits = await streamBinaryImages(npz, side, checkHeaders);
  checkFactors(file, grid, classes, values);
  return new NpzImageSource(grid, bits, side, file);
}

/**
 * Streams `imgs.npy`: parses its header from the first bytes, lets `check` validate it before any
 * pixel is stored, then packs each 0/1 byte into one bit. A byte above 1 is a DataError giving the
 * image, row and column.
 */
async function streamBinaryImages(npz: NpzFile, side: number, check: (h: NpyHeader) => void): Promise<Uint8Array> {
  const file = npz.file;
  let head: Uint8Array = new Uint8Array(0);
  let header: NpyHeader | undefined;
  let bits = new Uint8Array(0);
  let j = 0; // pixels received
  const pack = (data: Uint8Array) => {
    if (j + data.length > header!.dataLength) return void (j += data.length); // reported at the end
    let i = 0;
    let bad = 0;
    for (; i < data.length && (j & 7) !== 0; i++, j++) {
      const b = data[i]!;
      bad |= b;
      bits[j >>> 3] |= b << (j & 7);
    }
    for (; i + 8 <= data.length; i += 8, j += 8) {
      const b0 = data[i]!,
        b1 = data[i + 1]!,
        b2 = data[i + 2]!,
        b3 = data[i + 3]!;
      const b4 = data[i + 4]!,
        b5 = data[i + 5]!,
        b6 = data[i + 6]!,
        b7 = data[i + 7]!;
      bad |= b0 | b1 | b2 | b3 | b4 | b5 | b6 | b7;
      bits[j >>> 3] = b0 | (b1 << 1) | (b2 << 2) | (b3 << 3) | (b4 << 4) | (b5 << 5) | (b6 << 6) | (b7 << 7);
    }
    for (; i < data.length; i++, j++) {
      const b = data[i]!;
      bad |= b;
      bits[j >>> 3] |= b << (j & 7);
    }
    if (bad > 1) {
      const k = j - data.length + data.findIndex((b) => b > 1);
      const image = Math.floor(k / (side * side));
      const at = k % (side * side);
      throw new DataError(file, `imgs: expected binary pixels (0 or 1), got ${data[k - (j - data.length)]} in image ${image} at row ${Math.floor(at / side)}, column ${at % side}`);
    }
  };
  await npz.stream('imgs', (chunk) => {
    if (header) return pack(chunk);
    const joined = new Uint8Array(head.length + chunk.length);
    joined.set(head);
    joined.set(chunk, head.length);
    head = joined;
    header = parseNpyHeader(head, file, 'imgs');
    if (!header) return;
    check(header);
    bits = new Uint8Array(Math.ceil(header.dataLength / 8));
    pack(head.subarray(header.dataStart));
    head = new Uint8Array(0);
  });
  if (!header) throw new DataError(file, `imgs: truncated NPY header (${head.length} bytes)`);
  const problem = npyLengthProblem(header, j);
  if (problem) throw new DataError(file, `imgs: ${problem}`);
  return bits;
}

/** Row i of latents_classes / latents_values must be grid point i's classes / values. */
function checkFactors(file: string, grid: FactorGrid, classes: NpyArray, values: NpyArray): void {
  const n = grid.count;
  const f = grid.sizes.length;
  const cls = numberReader(classes);
  const val = numberReader(values);
  const want = new Int32Array(f);
  for (let i = 0; i < n; i++) {
    grid.classesAt(i, want);
    for (let k = 0; k < f; k++) {
      const c = cls(i * f + k);
      if (c !== want[k]) {
        const row = Array.from({ length: f }, (_, q) => cls(i * f + q));
        throw new DataError(
          file,
          `latents_classes: row ${i} is [${row.join(', ')}], but the grid order (${grid.names.at(-1)} fastest … ${grid.names[0]} slowest) puts [${Array.from(want).join(', ')}] there`,
        );
      }
      const v = val(i * f + k);
      const expected = grid.values[k]![c]!;
      if (!(Math.abs(v - expected) <= 1e-6 * Math.max(1, Math.abs(expected)))) {
        throw new DataError(file, `latents_values: row ${i}, factor ${grid.names[k]} (class ${c}) is ${v}, expected ${expected}`);
      }
    }
  }
}
