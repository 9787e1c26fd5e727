import { describe, expect, it } from "vitest";
import { createVolume } from "@deepreg-loader/core";
import { valueRange, valueRangeOf } from "./value-range.js";

describe("valueRange", () => {
  it("valueRange([3, -1.5, 8, 0] as [2, 2, 1]) = { min: -1.5, max: 8 }", () => {
    expect(valueRange(createVolume(Float32Array.of(3, -1.5, 8, 0), [2, 2, 1]))).toEqual({ min: -1.5, max: 8 });
  });

  it("valueRange([4]) = { min: 4, max: 4 }", () => {
    expect(valueRange(createVolume(Float32Array.of(4), [1, 1, 1]))).toEqual({ min: 4, max: 4 });
  });

  it("valueRange([5, 1, 2, 9]) finds a max after a min", () => {
    expect(valueRange(createVolume(Float32Array.of(5, 1, 2, 9), [4]))).toEqual({ min: 1, max: 9 });
  });

  it("valueRange([1, NaN, 3]) and valueRange([NaN, 1]) = NaN, NaN", () => {
    expect(valueRange(createVolume(Float32Array.of(1, Number.NaN, 3), [3]))).toEqual({ min: NaN, max: NaN });
    expect(valueRange(createVolume(Float32Array.of(Number.NaN, 1), [2]))).toEqual({ min: NaN, max: NaN });
  });

  it("valueRange([-Infinity, 2, Infinity]) = { min: -Infinity, max: Infinity }", () => {
    expect(valueRange(createVolume(Float32Array.of(-Infinity, 2, Infinity), [3]))).toEqual({
      min: -Infinity,
      max: Infinity,
    });
  });

  it("valueRange(empty [2, 0]) throws SHAPE", () => {
    expect(() => valueRange(createVolume(new Float32Array(0), [2, 0]))).toThrow(
      expect.objectContaining({ code: "SHAPE", message: expect.stringContaining("[2, 0] has no values") }),
    );
  });

  it("valueRange(lengths 1..11, min / max / NaN at every position) equals a one-lane scan", () => {
    for (let n = 1; n <= 11; n++) {
      for (let at = 0; at < n; at++) {
        const base = Array.from({ length: n }, (_, i) => ((i * 5) % 7) - 3);
        const low = Float32Array.from(base, (v, i) => (i === at ? -100 : v));
        const high = Float32Array.from(base, (v, i) => (i === at ? 100 : v));
        const nan = Float32Array.from(base, (v, i) => (i === at ? Number.NaN : v));
        expect(valueRange(createVolume(low, [n]))).toEqual({ min: -100, max: Math.max(...low) });
        expect(valueRange(createVolume(high, [n]))).toEqual({ min: Math.min(...high), max: 100 });
        expect(valueRange(createVolume(nan, [n]))).toEqual({ min: Number.NaN, max: Number.NaN });
      }
    }
  });
});


describe("valueRangeOf(Float64Array)", () => {
  it("valueRangeOf(float64 values) = the float32 range of the values, at any length and extreme position", () => {
    for (let length = 1; length <= 11; length++) {
      for (let at = 0; at < length; at++) {
        const values = Float64Array.from({ length }, (_, i) => 0.25 + i / 1000);
        values[at] = -1 / 3;
        values[(at + 1) % length] = length === 1 ? -1 / 3 : 7 / 3;
        const expected = valueRange(createVolume(Float32Array.from(values), [length, 1, 1]));
        expect(valueRangeOf(values)).toEqual(expected);
      }
    }
  });

  it("valueRangeOf(float64 values with a NaN anywhere) = NaN, NaN", () => {
    for (let at = 0; at < 9; at++) {
      const values = Float64Array.from({ length: 9 }, (_, i) => i);
      values[at] = Number.NaN;
      expect(valueRangeOf(values)).toEqual({ min: Number.NaN, max: Number.NaN });
    }
  });
});

describe("valueRangeOf(Int16Array, Uint8Array)", () => {
  /** min and max by a plain loop, as float32 values. */
  const naive = (values: ArrayLike<number>) => {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < values.length; i++) {
      min = Math.min(min, values[i] as number);
      max = Math.max(max, values[i] as number);
    }
    return { min: Math.fround(min), max: Math.fround(max) };
  };
  /** Deterministic pseudo-random integers in [lo, hi]. */
  const ints = (n: number, lo: number, hi: number, seed: number): number[] => {
    let x = seed;
    return Array.from({ length: n }, () => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return lo + (x % (hi - lo + 1));
    });
  };

  it("int16 values at every length 1-40 and extremes at every position equal the plain loop's range", () => {
    for (let n = 1; n <= 40; n++) {
      for (let at = 0; at < n; at++) {
        const values = Int16Array.from(ints(n, -100, 100, n * 41 + at));
        values[at] = -32768;
        values[n - 1 - at] = 32767;
        expect(valueRangeOf(values)).toEqual(naive(values));
      }
    }
  });

  it("uint8 labels of 0 and 1 (all 0, all 1, mixed), at every length 1-40 and byte offset 0-3, equal the plain loop's range", () => {
    const backing = new Uint8Array(48);
    for (let offset = 0; offset < 4; offset++) {
      for (let n = 1; n <= 40; n++) {
        for (const fill of ["zeros", "ones", "mixed"] as const) {
          const values = backing.subarray(offset, offset + n);
          const bits = ints(n, 0, 1, n * 7 + offset);
          values.set(fill === "zeros" ? bits.map(() => 0) : fill === "ones" ? bits.map(() => 1) : bits);
          backing.fill(9, 0, offset); // neighbours outside the view must not count
          backing.fill(9, offset + n);
          expect(valueRangeOf(values)).toEqual(naive(values));
        }
      }
    }
  });

  it("uint8 with one value other than 0 and 1, anywhere (also in the unaligned head and tail), equals the plain loop's range", () => {
    const backing = new Uint8Array(40);
    for (const offset of [0, 1, 3]) {
      const values = backing.subarray(offset, offset + 33);
      for (let at = 0; at < values.length; at++) {
        for (const odd of [2, 128, 255]) {
          values.set(ints(values.length, 0, 1, at + odd));
          values[at] = odd;
          expect(valueRangeOf(values)).toEqual(naive(values));
        }
      }
    }
    expect(valueRangeOf(Uint8Array.from(ints(1000, 3, 250, 5)))).toEqual(naive(Uint8Array.from(ints(1000, 3, 250, 5))));
  });
});
