import { describe, expect, it } from "vitest";
import { createVolume } from "@deepreg-loader/core";
import { columnMajorToRowMajor } from "./column-major.js";
import { normalize } from "./normalize.js";
import { valueRange, valueRangeOf } from "./value-range.js";

/** Deterministic pseudo-random values (a linear congruential generator), so the test is exact. */
function values(n: number, seed: number, scale: number): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return (x / 2 ** 31) * scale - scale / 3;
  });
}

const SOURCES: [string, (n: number) => ArrayLike<number>][] = [
  ["int16", (n) => Int16Array.from(values(n, 1, 30000))],
  ["uint8", (n) => Uint8Array.from(values(n, 2, 255).map((v) => Math.abs(v)))],
  ["float32", (n) => Float32Array.from(values(n, 3, 1e4))],
  ["float64", (n) => Float64Array.from(values(n, 4, 1e4))],
  ["int32", (n) => Int32Array.from(values(n, 5, 1e6))],
];

describe("columnMajorToRowMajor(source, shape, { normalize: valueRangeOf(source) })", () => {
  for (const shape of [[7], [5, 4], [5, 4, 3], [37, 5, 40], [70, 3, 90], [9, 17, 20, 3]]) {
    for (const [dtype, make] of SOURCES) {
      it(`equals normalize(columnMajorToRowMajor(...)) bit for bit, ${dtype} [${shape.join(", ")}]`, () => {
        const n = shape.reduce((a, b) => a * b, 1);
        const source = make(n);
        const plain = createVolume(columnMajorToRowMajor(source, shape), shape);
        const range = valueRangeOf(source);
        expect(range).toEqual(valueRange(plain));
        const expected = normalize(plain, { range: valueRange(plain) }).data;
        const fused = columnMajorToRowMajor(source, shape, { normalize: range });
        expect(Array.from(fused)).toEqual(Array.from(expected));
      });
    }
  }

  it("throws VALUE_RANGE for a non-finite range and INVALID_ARGUMENT with slope", () => {
    const source = new Float32Array([1, Number.NaN, 3, 4]);
    const range = valueRangeOf(source);
    expect(range.min).toBeNaN();
    expect(() => columnMajorToRowMajor(source, [2, 2], { normalize: range })).toThrow(expect.objectContaining({ code: "VALUE_RANGE" }));
    expect(() => columnMajorToRowMajor(new Int16Array(4), [2, 2], { normalize: { min: 0, max: 1 }, slope: 2 })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
  });
});

describe("valueRangeOf(values)", () => {
  it("gives the float32 range of int16, uint8, float64 and int32 values; NaN anywhere gives NaN", () => {
    expect(valueRangeOf(Int16Array.from([3, -7, 12, 0]))).toEqual({ min: -7, max: 12 });
    expect(valueRangeOf(Uint8Array.from([9, 1, 255]))).toEqual({ min: 1, max: 255 });
    expect(valueRangeOf(Float64Array.from([0.1, -0.3]))).toEqual({ min: Math.fround(-0.3), max: Math.fround(0.1) });
    expect(valueRangeOf(Int32Array.from([2 ** 30 + 1, 5]))).toEqual({ min: 5, max: Math.fround(2 ** 30 + 1) });
    expect(valueRangeOf(Float64Array.from([Number.NaN, 1])).min).toBeNaN();
    expect(valueRangeOf(Float64Array.from([1, Number.NaN, 2])).max).toBeNaN();
  });

  it("throws SHAPE for no values", () => {
    expect(() => valueRangeOf(new Int16Array(0))).toThrow(expect.objectContaining({ code: "SHAPE" }));
  });
});
