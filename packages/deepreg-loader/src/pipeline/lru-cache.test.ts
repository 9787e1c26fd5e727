import { describe, expect, it } from "vitest";
import { LruCache } from "./lru-cache.js";

describe("LruCache", () => {
  it("LruCache(10): set a(4), b(4), get a, set c(4) evicts b, the least recently used", () => {
    const cache = new LruCache<string>(10);
    cache.set("a", "A", 4);
    cache.set("b", "B", 4);
    expect(cache.get("a")).toBe("A");
    cache.set("c", "C", 4);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBe("A");
    expect(cache.get("c")).toBe("C");
    expect({ bytes: cache.bytes, size: cache.size, evictions: cache.evictions }).toEqual({ bytes: 8, size: 2, evictions: 1 });
  });

  it("LruCache(10).set(key, value, 11) stores nothing and returns false", () => {
    const cache = new LruCache<string>(10);
    expect(cache.set("big", "X", 11)).toBe(false);
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
  });

  it("LruCache(10).set(existing key) replaces the entry and its byte count", () => {
    const cache = new LruCache<string>(10);
    cache.set("a", "A", 6);
    cache.set("a", "A2", 3);
    expect(cache.get("a")).toBe("A2");
    expect(cache.bytes).toBe(3);
  });
});
