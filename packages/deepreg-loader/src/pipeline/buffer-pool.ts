// pipeline/buffer-pool.ts: float32 arrays handed back by the consumer (`loader.recycle`) and
// re-used as outputs, so a recycling consumer stops paying for fresh memory (first touch of a
// fresh page is the dominant cost of a cold epoch on some machines). May import nothing.

/**
 * Arrays the loader handed out as owned by a sample or batch (`issue`), and buffers handed back
 * (`recycle`) waiting to be written again (`take`), by size.
 *
 * Safe against misuse: `recycle` accepts only an array object this pool issued and that was not
 * recycled since (a foreign array, a second recycle of the same array, a view of a buffer that
 * was re-issued under another array object, a detached array are all ignored). A buffer taken
 * again is wrapped in a new array object, so an old sample recycled late cannot hand back a
 * buffer a newer sample holds.
 */
export class BufferPool {
  /** Free buffers by byte length, oldest first. */
  readonly #free = new Map<number, ArrayBuffer[]>();
  /** Array objects handed out as owned, not recycled yet. */
  #issued = new WeakSet<Float32Array>();
  readonly #maxPerSize: number;
  /** Arrays accepted by {@link recycle}. */
  recycled = 0;
  /** Outputs written into a recycled buffer (counted by the reader: {@link noteReused}). */
  reused = 0;

  /** `maxPerSize`: free buffers kept per byte length; more are dropped (left to the garbage collector). */
  constructor(maxPerSize: number) {
    this.#maxPerSize = maxPerSize;
  }

  /** Free buffers held now (all sizes). */
  get size(): number {
    let n = 0;
    for (const list of this.#free.values()) n += list.length;
    return n;
  }

  /** A free buffer of `length` float32 elements as a new array, or undefined when none is free. */
  take(length: number): Float32Array | undefined {
    const list = this.#free.get(4 * length);
    const buffer = list?.pop();
    if (buffer === undefined) return undefined;
    if (list!.length === 0) this.#free.delete(4 * length);
    return new Float32Array(buffer);
  }

  /** Puts a buffer back (an output buffer that went unused); ignored when detached or the size is full. */
  give(buffer: ArrayBuffer): void {
    if (buffer.byteLength === 0) return;
    let list = this.#free.get(buffer.byteLength);
    if (list === undefined) {
      list = [];
      this.#free.set(buffer.byteLength, list);
    }
    if (list.length < this.#maxPerSize) list.push(buffer);
  }

  /** Marks `array` as handed out, owned by its sample or batch (it may come back through `recycle`). */
  issue(array: Float32Array): Float32Array {
    if (array.byteOffset === 0 && array.byteLength === array.buffer.byteLength && array.byteLength > 0) this.#issued.add(array);
    return array;
  }

  /** Whether `array` was issued and not recycled since. */
  isIssued(array: Float32Array): boolean {
    return this.#issued.has(array);
  }

  /** Takes `array` back when it was issued and is intact (see the class); returns whether it did. */
  recycle(array: unknown): boolean {
    if (!(array instanceof Float32Array) || !this.#issued.has(array)) return false;
    this.#issued.delete(array);
    // Detached (transferred away) or resized since: not ours to re-use.
    if (array.byteLength === 0 || array.byteLength !== array.buffer.byteLength) return false;
    this.recycled += 1;
    this.give(array.buffer as ArrayBuffer);
    return true;
  }

  /** Counts an output written into a recycled buffer. */
  noteReused(): void {
    this.reused += 1;
  }

  /** Drops every free buffer and forgets what was issued. */
  clear(): void {
    this.#free.clear();
    this.#issued = new WeakSet();
  }
}
