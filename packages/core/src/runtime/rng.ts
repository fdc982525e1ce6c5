/**
 * Seeded random streams owned by core. Every consumer of randomness (initialisation, shuffling,
 * reparameterisation noise, binarisation, evaluation) draws from its own named stream, so adding a
 * draw in one place does not shift the numbers seen elsewhere, and a run is repeatable from its seed.
 *
 * A stream is counter-based: draw i of stream s under seed S is hash(S, s, i). Its whole state is
 * one counter, saved in checkpoints, so a resumed run continues exactly where it stopped.
 */

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h >>> 0);
}

function combine(a: number, b: number): number {
  return fmix32((a ^ Math.imul(b + 0x9e3779b9, 0x85ebca6b)) >>> 0);
}

/** mulberry32: a small, fast, well-distributed 32-bit generator for host-side draws. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class RandomStream {
  private counter: number;
  private readonly base: number;

  constructor(
    readonly name: string,
    seed: number,
    counter = 0,
  ) {
    this.base = combine(seed >>> 0, hashString(name));
    this.counter = counter;
  }

  /** A fresh 31-bit seed for one TensorFlow.js random op (randomNormal, randomUniform…). */
  nextSeed(): number {
    // Never 0: TensorFlow.js's random ops take a seed of 0 as "no seed" and draw unseeded values.
    return combine(this.base, this.counter++) & 0x7fffffff || 1;
  }

  /** A host-side generator for one use (e.g. one epoch's shuffle), advancing the stream once. */
  nextGenerator(): () => number {
    return mulberry32(this.nextSeed());
  }

  /** Fisher–Yates permutation of 0..n-1 drawn from this stream. */
  permutation(n: number): Int32Array {
    const u = this.nextGenerator();
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(u() * (i + 1));
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }

  get position(): number {
    return this.counter;
  }

  set position(c: number) {
    this.counter = c;
  }
}

export type RngState = Record<string, number>;

/** The run's family of named streams under one seed. */
export class Rng {
  private readonly streams = new Map<string, RandomStream>();

  constructor(readonly seed: number) {}

  stream(name: string): RandomStream {
    let s = this.streams.get(name);
    if (!s) {
      s = new RandomStream(name, this.seed);
      this.streams.set(name, s);
    }
    return s;
  }

  state(): RngState {
    const out: RngState = {};
    for (const [k, s] of this.streams) out[k] = s.position;
    return out;
  }

  restore(state: RngState): void {
    for (const [k, pos] of Object.entries(state)) this.stream(k).position = pos;
  }
}
export const RngToken = Symbol('Rng');
