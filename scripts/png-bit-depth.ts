/**
 * Does a compressor matched to binarised digits change what the complexity score's L(x) measures?
 * For the 2,004 held-out embedded MNIST digits (binarised once, as the runs see them): L(x) as an
 * 8-bit grey PNG (what `elbo score --score complexity` uses) and as a 1-bit PNG, their means and
 * spreads, their correlation with each other and with the ink (lit pixels), and the AUROC of −L(x)
 * alone for each digit class against the others — the column docs/uses.md uses to explain why the
 * complexity score ranks 0s and 8s as normal.
 *
 *   npx tsx scripts/png-bit-depth.ts
 */
import { cpus } from 'node:os';
import { loadMnist } from '@elbo/datasets';
import { auroc, pngBits } from '@elbo/uses';

const test = (await loadMnist({ binarize: 'dynamic' })).test;
const rows = new Float32Array(test.size * test.dim);
test.read(
  Int32Array.from({ length: test.size }, (_, i) => i),
  rows,
);
const shape = [28, 28, 1];
const L8 = pngBits(rows, shape);
const L1 = pngBits(rows, shape, { depth: 1 });
const ink = Array.from({ length: test.size }, (_, i) => rows.subarray(i * test.dim, (i + 1) * test.dim).reduce((a, b) => a + b, 0));

const mean = (v: ArrayLike<number>) => Array.from(v).reduce((a, b) => a + b, 0) / v.length;
const sd = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((a, b) => a + (b - mean(v)) ** 2, 0) / (v.length - 1));
function corr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const [ma, mb] = [mean(a), mean(b)];
  let [s, sa, sb] = [0, 0, 0];
  for (let i = 0; i < a.length; i++) {
    s += (a[i]! - ma) * (b[i]! - mb);
    sa += (a[i]! - ma) ** 2;
    sb += (b[i]! - mb) ** 2;
  }
  return s / Math.sqrt(sa * sb);
}
const perClass = (L: Float64Array) =>
  Array.from({ length: 10 }, (_, c) =>
    auroc(
      Array.from(L, (v) => -v),
      Array.from(test.labels!, (l) => l === c),
    ).toFixed(3),
  );

console.log(`${test.size} held-out digits, binarised; ${cpus().length}-core ${cpus()[0]?.model.trim()}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
console.log(`L(x), 8-bit PNG: mean ${mean(L8).toFixed(0)} bits, sd ${sd(L8).toFixed(0)}; 1-bit PNG: mean ${mean(L1).toFixed(0)} bits, sd ${sd(L1).toFixed(0)}`);
console.log(`correlation: 8-bit with 1-bit ${corr(L8, L1).toFixed(3)}; with the ink: 8-bit ${corr(L8, ink).toFixed(3)}, 1-bit ${corr(L1, ink).toFixed(3)}`);
console.log('| AUROC of −L(x) alone, class | 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
console.log(`| 8-bit PNG | ${perClass(L8).join(' | ')} |`);
console.log(`| 1-bit PNG | ${perClass(L1).join(' | ')} |`);
