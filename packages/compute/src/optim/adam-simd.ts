import wabt from 'wabt';

/**
 * Adam's fused update for the WASM backend, as WebAssembly SIMD (f32x4) code that runs in the
 * backend's own memory: it imports the memory of TensorFlow.js's WASM module and reads and writes
 * tensors where they live, four values per instruction. Source in the text format, assembled by
 * wabt when the WASM backend is selected.
 *
 *   adam(p, m, v, g, pOut, mOut, vOut, n, β1, 1−β1, β2, 1−β2, stepSize, ε̂, scale)
 *
 * with byte offsets of float32 arrays of n values.
 */
const source = `
(module
  (import "env" "memory" (memory 0))
  (func (export "adam")
    (param $p i32) (param $m i32) (param $v i32) (param $g i32)
    (param $po i32) (param $mo i32) (param $vo i32) (param $n i32)
    (param $b1 f32) (param $c1 f32) (param $b2 f32) (param $c2 f32) (param $step f32) (param $eps f32) (param $scale f32)
    (local $i i32) (local $end i32) (local $o i32)
    (local $B1 v128) (local $C1 v128) (local $B2 v128) (local $C2 v128) (local $S v128) (local $E v128) (local $K v128)
    (local $g4 v128) (local $m4 v128) (local $v4 v128)
    (local $g1 f32) (local $m1 f32) (local $v1 f32)
    (local.set $B1 (f32x4.splat (local.get $b1)))
    (local.set $C1 (f32x4.splat (local.get $c1)))
    (local.set $B2 (f32x4.splat (local.get $b2)))
    (local.set $C2 (f32x4.splat (local.get $c2)))
    (local.set $S (f32x4.splat (local.get $step)))
    (local.set $E (f32x4.splat (local.get $eps)))
    (local.set $K (f32x4.splat (local.get $scale)))
    (local.set $end (i32.and (local.get $n) (i32.const -4)))
    (block $done
      (loop $vec
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $g4 (f32x4.mul (v128.load align=4 (i32.add (local.get $g) (local.get $o))) (local.get $K)))
        (local.set $m4 (f32x4.add
          (f32x4.mul (local.get $B1) (v128.load align=4 (i32.add (local.get $m) (local.get $o))))
          (f32x4.mul (local.get $C1) (local.get $g4))))
        (local.set $v4 (f32x4.add
          (f32x4.mul (local.get $B2) (v128.load align=4 (i32.add (local.get $v) (local.get $o))))
          (f32x4.mul (local.get $C2) (f32x4.mul (local.get $g4) (local.get $g4)))))
        (v128.store align=4 (i32.add (local.get $mo) (local.get $o)) (local.get $m4))
        (v128.store align=4 (i32.add (local.get $vo) (local.get $o)) (local.get $v4))
        (v128.store align=4 (i32.add (local.get $po) (local.get $o))
          (f32x4.sub
            (v128.load align=4 (i32.add (local.get $p) (local.get $o)))
            (f32x4.div (f32x4.mul (local.get $S) (local.get $m4)) (f32x4.add (f32x4.sqrt (local.get $v4)) (local.get $E)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $vec)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $g1 (f32.mul (f32.load (i32.add (local.get $g) (local.get $o))) (local.get $scale)))
        (local.set $m1 (f32.add
          (f32.mul (local.get $b1) (f32.load (i32.add (local.get $m) (local.get $o))))
          (f32.mul (local.get $c1) (local.get $g1))))
        (local.set $v1 (f32.add
          (f32.mul (local.get $b2) (f32.load (i32.add (local.get $v) (local.get $o))))
          (f32.mul (local.get $c2) (f32.mul (local.get $g1) (local.get $g1)))))
        (f32.store (i32.add (local.get $mo) (local.get $o)) (local.get $m1))
        (f32.store (i32.add (local.get $vo) (local.get $o)) (local.get $v1))
        (f32.store (i32.add (local.get $po) (local.get $o))
          (f32.sub
            (f32.load (i32.add (local.get $p) (local.get $o)))
            (f32.div (f32.mul (local.get $step) (local.get $m1)) (f32.add (f32.sqrt (local.get $v1)) (local.get $eps)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail)))))
`;

export type AdamSimd = (
  p: number,
  m: number,
  v: number,
  g: number,
  po: number,
  mo: number,
  vo: number,
  n: number,
  b1: number,
  c1: number,
  b2: number,
  c2: number,
  step: number,
  eps: number,
  scale: number,
) => void;

/** The parts of the WebAssembly JS API used here (the project's type libraries leave it out). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<{ exports: Record<string, unknown> }>;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiled: Promise<object> | undefined;

/** The update bound to `memory` (TensorFlow.js's WASM memory). */
export async function instantiateAdamSimd(memory: WasmMemory): Promise<AdamSimd> {
  compiled ??= (async () => {
    const w = await wabt();
    const mod = w.parseWat('adam-simd.wat', source, { simd: true });
    try {
      return await WA.compile(mod.toBinary({}).buffer);
    } finally {
      mod.destroy();
    }
  })();
  const instance = await WA.instantiate(await compiled, { env: { memory } });
  return instance.exports['adam'] as AdamSimd;
}
