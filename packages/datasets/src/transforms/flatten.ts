/** Number of values in one example of `shape` ([28, 28, 1] → 784). */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d <= 0) throw new RangeError(`shape [${shape.join(', ')}] has a non-positive or fractional dimension`);
    n *= d;
  }
  return n;
}

/**
 * Flattens examples into one row-major buffer: example k occupies values `k·dim … (k+1)·dim − 1`,
 * and inside an example the last axis varies fastest (HWC order for images: row, then column, then
 * channel). Each example must already be a flat row-major list of `shapeSize(shape)` values; nested
 * arrays are flattened one level per axis.
 */
export function flatten(examples: readonly (ArrayLike<number> | readonly unknown[])[], shape: readonly number[]): Float32Array {
  const dim = shapeSize(shape);
  const out = new Float32Array(examples.length * dim);
  examples.forEach((ex, k) => {
    const flat = flattenOne(ex, shape);
    if (flat.length !== dim) throw new RangeError(`example ${k} has ${flat.length} values, shape [${shape.join(', ')}] needs ${dim}`);
    out.set(flat, k * dim);
  });
  return out;
}

function flattenOne(ex: ArrayLike<number> | readonly unknown[], shape: readonly number[]): ArrayLike<number> {
  if (ex.length === 0 || typeof ex[0] === 'number') return ex as ArrayLike<number>;
  const flat: number[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (typeof v === 'number') flat.push(v);
    else if (Array.isArray(v) || ArrayBuffer.isView(v)) {
      if (depth >= shape.length) throw new RangeError(`example is nested deeper than shape [${shape.join(', ')}]`);
      const items = v as ArrayLike<unknown>;
      for (let i = 0; i < items.length; i++) walk(items[i], depth + 1);
    } else throw new RangeError(`expected numbers, got ${typeof v}`);
  };
  walk(ex, 0);
  return flat;
}
