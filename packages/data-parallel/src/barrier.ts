/**
 * A reusable barrier for a fixed number of threads over shared memory (sense-reversing: a
 * counter of arrivals and a generation number). `wait()` blocks the calling worker thread until
 * all `parties` have called it for the current generation. For worker threads only: the main
 * thread of Node.js may not block.
 */
export class Barrier {
  private readonly cells: Int32Array;

  /** `buffer` holds two Int32 cells, zeroed before the first use. */
  constructor(
    buffer: SharedArrayBuffer,
    private readonly parties: number,
    byteOffset = 0,
  ) {
    this.cells = new Int32Array(buffer, byteOffset, 2);
  }

  static bytes = 8;

  wait(): void {
    const gen = Atomics.load(this.cells, 1);
    if (Atomics.add(this.cells, 0, 1) === this.parties - 1) {
      // The last to arrive resets the count and releases the others.
      Atomics.store(this.cells, 0, 0);
      Atomics.add(this.cells, 1, 1);
      Atomics.notify(this.cells, 1);
      return;
    }
    while (Atomics.load(this.cells, 1) === gen) Atomics.wait(this.cells, 1, gen);
  }
}
