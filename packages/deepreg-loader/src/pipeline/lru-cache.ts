// pipeline/lru-cache.ts: an LRU cache under a byte budget. May import nothing.
/**
 * A least-recently-used map under a byte budget: `set` evicts the least recently used entries
 * until the total fits; an entry larger than the budget is not stored. `get` refreshes.
 */
export class LruCache<V> {
  readonly maxBytes: number;
  #bytes = 0;
  #evictions = 0;
  readonly #entries = new Map<string, { value: V; bytes: number }>();

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  /** The value of `key`, now the most recently used, or undefined. */
  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value` as the most recently used; returns false when it is larger than the budget. */
  set(key: string, value: V, bytes: number): boolean {
    const old = this.#entries.get(key);
    if (old !== undefined) {
      this.#entries.delete(key);
      this.#bytes -= old.bytes;
    }
    if (bytes > this.maxBytes) return false;
    while (this.#bytes + bytes > this.maxBytes) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      const entry = this.#entries.get(oldest.value) as { bytes: number };
      this.#entries.delete(oldest.value);
      this.#bytes -= entry.bytes;
      this.#evictions += 1;
    }
    this.#entries.set(key, { value, bytes });
    this.#bytes += bytes;
    return true;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /** Entries evicted to make room so far. */
  get evictions(): number {
    return this.#evictions;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
