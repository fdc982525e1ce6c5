/**
 * Scaling of raw 8-bit pixels to [0,1]: `x = byte / 255` (the convention of the MNIST-family
 * literature and of TensorFlow/PyTorch loaders). Returns a new float32 buffer.
 */
export function scaleBytes(bytes: Uint8Array, divisor = 255): Float32Array {
  const out = new Float32Array(bytes.length);
  const s = 1 / divisor;
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! * s;
  return out;
}

/** The read-time factor that maps stored bytes to [0,1]; used by splits that keep uint8 storage. */
export const BYTE_SCALE = 1 / 255;
