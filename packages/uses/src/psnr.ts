/**
 * Peak signal-to-noise ratio of `test` against `reference` in dB, PSNR = 10·log10(peak² / MSE).
 * With `dim`, the arrays hold rows of `dim` values (images) and the result is the mean of the
 * per-row PSNRs — the usual figure in denoising papers; without it, one PSNR of the pooled MSE.
 * `peak` is the largest possible value (1 for pixels in [0,1]). A row equal to its reference has
 * infinite PSNR; rows are capped at 100 dB so that one exact row cannot make the mean infinite.
 */
export function psnr(reference: ArrayLike<number>, test: ArrayLike<number>, opts: { dim?: number; peak?: number } = {}): number {
  const n = reference.length;
  if (test.length !== n) throw new RangeError(`reference has ${n} values, test has ${test.length}`);
  const dim = opts.dim ?? n;
  if (!(Number.isInteger(dim) && dim > 0) || n % dim !== 0 || n === 0) throw new RangeError(`${n} values do not split into rows of ${dim}`);
  const peak = opts.peak ?? 1;
  const rows = n / dim;
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    let se = 0;
    for (let j = r * dim; j < (r + 1) * dim; j++) se += (reference[j]! - test[j]!) ** 2;
    const mse = se / dim;
    sum += mse === 0 ? 100 : Math.min(100, 10 * Math.log10((peak * peak) / mse));
  }
  return sum / rows;
}
