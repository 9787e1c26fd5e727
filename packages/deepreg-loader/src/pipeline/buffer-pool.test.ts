import { describe, expect, it } from "vitest";
import { BufferPool } from "./buffer-pool.js";

describe("BufferPool", () => {
  it("take(n) is undefined until an issued array of n elements is recycled, then returns its buffer in a new array", () => {
    const pool = new BufferPool(4);
    expect(pool.take(6)).toBeUndefined();
    const a = pool.issue(Float32Array.of(1, 2, 3, 4, 5, 6));
    expect(pool.recycle(a)).toBe(true);
    expect(pool.recycled).toBe(1);
    expect(pool.take(5)).toBeUndefined();
    const b = pool.take(6)!;
    expect(b).not.toBe(a);
    expect(b.buffer).toBe(a.buffer);
    expect(pool.take(6)).toBeUndefined();
  });

  it("recycle() ignores foreign arrays, a second recycle, detached arrays and views of part of a buffer", () => {
    const pool = new BufferPool(4);
    expect(pool.recycle(new Float32Array(4))).toBe(false);
    expect(pool.recycle("not an array")).toBe(false);
    expect(pool.recycle(undefined)).toBe(false);
    const a = pool.issue(new Float32Array(4));
    expect(pool.recycle(a)).toBe(true);
    expect(pool.recycle(a)).toBe(false);
    const part = pool.issue(new Float32Array(8).subarray(0, 4));
    expect(pool.isIssued(part)).toBe(false);
    expect(pool.recycle(part)).toBe(false);
    const moved = pool.issue(new Float32Array(4));
    structuredClone(moved.buffer, { transfer: [moved.buffer as ArrayBuffer] });
    expect(moved.byteLength).toBe(0);
    expect(pool.recycle(moved)).toBe(false);
    expect(pool.size).toBe(1);
  });

  it("an array recycled late, after its buffer went to a newer array, hands nothing back", () => {
    const pool = new BufferPool(4);
    const old = pool.issue(new Float32Array(3));
    pool.recycle(old);
    const newer = pool.issue(pool.take(3)!);
    expect(pool.recycle(old)).toBe(false);
    expect(pool.take(3)).toBeUndefined();
    expect(pool.recycle(newer)).toBe(true);
  });

  it("keeps at most maxPerSize free buffers of each size; give() of a detached buffer is ignored; clear() empties it", () => {
    const pool = new BufferPool(2);
    for (let i = 0; i < 3; i++) pool.recycle(pool.issue(new Float32Array(5)));
    pool.recycle(pool.issue(new Float32Array(7)));
    expect(pool.size).toBe(3);
    expect(pool.recycled).toBe(4);
    pool.give(new ArrayBuffer(0));
    expect(pool.size).toBe(3);
    const issued = pool.issue(new Float32Array(9));
    pool.clear();
    expect(pool.size).toBe(0);
    expect(pool.recycle(issued)).toBe(false);
  });
});
