import { totalmem } from 'node:os';

/** TensorFlow.js keeps a tensor in one typed array: at most this many elements. */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;

/** A tensor too large to allocate: its elements, its size in bytes, and the limit it exceeds. */
export class TensorSizeError extends Error {
  constructor(
    readonly what: string,
    readonly elements: number,
    readonly bytes: number,
    readonly limitBytes: number,
  ) {
    super(
      `${what} would need ${elements} float32 values, ${bytes} bytes (${formatBytes(bytes)}); the limit is ${limitBytes} bytes (${formatBytes(limitBytes)}): the smaller of 2^31−1 values per tensor and a quarter of this machine's memory`,
    );
    this.name = 'TensorSizeError';
  }
}

/** 1.6 GB, 312.0 MB, 512 B: a size as a person reads it. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let u = 0;
  while (bytes >= 1000 ** (u + 1) && u < units.length - 1) u++;
  return `${u ? (bytes / 1000 ** u).toFixed(1) : bytes} ${units[u]}`;
}

/**
 * The largest float32 tensor ELBO allocates, in bytes: the smaller of TensorFlow.js's typed-array
 * limit (2³¹−1 elements) and a quarter of this machine's memory (a weight also needs its gradient
 * and the optimiser's slots; a batch its activations and their gradients).
 */
export function tensorLimitBytes(): number {
  return Math.min(MAX_TENSOR_ELEMENTS * 4, Math.floor(totalmem() / 4));
}

/** What is wrong with allocating a float32 tensor of `shape` (`what` names it), or undefined when it fits. */
export function tensorSizeProblem(what: string, shape: readonly number[]): string | undefined {
  try {
    checkTensorSize(what, shape);
    return undefined;
  } catch (e) {
    if (e instanceof TensorSizeError) return e.message;
    throw e;
  }
}

/**
 * Throws a TensorSizeError when a float32 tensor of `shape` (`what` names it) would exceed
 * tensorLimitBytes — checked before allocating, so a huge size is refused with an estimate instead
 * of failing deep in TensorFlow.js with `Invalid typed array length`.
 */
export function checkTensorSize(what: string, shape: readonly number[]): void {
  const elements = shape.reduce((a, b) => a * b, 1);
  const limit = tensorLimitBytes();
  if (elements * 4 > limit) throw new TensorSizeError(`${what} [${shape.join(', ')}]`, elements, elements * 4, limit);
}
