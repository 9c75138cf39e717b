/**
 * A reusable barrier for a fixed number of threads over a SharedArrayBuffer (Atomics.wait is allowed on
 * Node's main thread too). Generation counting makes it safe to reuse immediately.
 */
const COUNT = 0;
const GENERATION = 1;
const ABORTED = 2;

export class SharedBarrier {
  private readonly control: Int32Array;

  /** `buffer` is 12 bytes shared by all participants (see SharedBarrier.allocate). */
  constructor(buffer: SharedArrayBuffer, readonly parties: number) {
    this.control = new Int32Array(buffer, 0, 3);
  }

  static allocate(): SharedArrayBuffer {
    return new SharedArrayBuffer(12);
  }

  /** Releases every waiting party with an error (a peer failed and will never arrive). */
  abort(): void {
    Atomics.store(this.control, ABORTED, 1);
    Atomics.add(this.control, GENERATION, 1);
    Atomics.notify(this.control, GENERATION);
  }

  get aborted(): boolean {
    return Atomics.load(this.control, ABORTED) === 1;
  }

  /** Blocks until all parties have arrived. `timeoutMs` guards against a crashed peer. */
  arrive(timeoutMs = 600_000): void {
    if (this.aborted) throw new Error('barrier: a peer failed');
    const generation = Atomics.load(this.control, GENERATION);
    if (Atomics.add(this.control, COUNT, 1) === this.parties - 1) {
      Atomics.store(this.control, COUNT, 0);
      Atomics.add(this.control, GENERATION, 1);
      Atomics.notify(this.control, GENERATION);
      return;
    }
    const deadline = Date.now() + timeoutMs;
    while (Atomics.load(this.control, GENERATION) === generation) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`barrier: peers did not arrive within ${timeoutMs} ms`);
      Atomics.wait(this.control, GENERATION, generation, left);
    }
    if (this.aborted) throw new Error('barrier: a peer failed');
  }
}
