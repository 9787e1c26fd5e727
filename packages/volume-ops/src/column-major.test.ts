import { describe, expect, it } from "vitest";
import { DeepRegLoaderError } from "@deepreg-loader/core";
import { columnMajorChannels, columnMajorToRowMajor } from "./column-major.js";
import { createVolume } from "@deepreg-loader/core";
import { takeChannel } from "./take-channel.js";

/** The reference: output position r (row-major multi-index) reads source at the column-major offset. */
function naive(source: ArrayLike<number>, shape: readonly number[]): number[] {
  const size = shape.reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let r = 0; r < size; r++) {
    // Row-major multi-index of r.
    const index: number[] = [];
    let rest = r;
    for (let k = shape.length - 1; k >= 0; k--) {
      index[k] = rest % (shape[k] as number);
      rest = Math.floor(rest / (shape[k] as number));
    }
    // Column-major offset: i0 + d0 * (i1 + d1 * (i2 + ...)).
    let offset = 0;
    for (let k = shape.length - 1; k >= 0; k--) offset = offset * (shape[k] as number) + (index[k] as number);
    out.push(Math.fround(source[offset] as number));
  }
  return out;
}

const SHAPES: number[][] = [
  [7],
  [5, 4],
  [1, 6],
  [5, 4, 3],
  [37, 5, 40],
  [17, 1, 33, 2],
  [3, 5, 1, 7, 2],
  [1, 1, 1],
  [33, 17, 19],
  // Inner axis longer than 64 (walked in blocks of 16, the last one partial).
  [5, 3, 70],
  // Inner axis before short trailing axes (z of [x, y, z, c]), blocked.
  [9, 2, 70, 3],
  // No axis but the first of length >= 16: the second axis is the inner one.
  [20, 3, 2, 2],
];

type Ctor =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Uint8ClampedArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

const TYPES: Ctor[] = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
];

function values(n: number): number[] {
  // Distinct small values (fit every type) so any misplaced element shows.
  return Array.from({ length: n }, (_, i) => (i * 37) % 127);
}

describe("columnMajorToRowMajor", () => {
  it("columnMajorToRowMajor([0..5], [2, 3]) = [0, 2, 4, 1, 3, 5]", () => {
    expect(Array.from(columnMajorToRowMajor([0, 1, 2, 3, 4, 5], [2, 3]))).toEqual([0, 2, 4, 1, 3, 5]);
  });

  it("columnMajorToRowMajor(ramp, [2, 3, 4]) puts source[i + 2j + 6k] at [i, j, k]", () => {
    const src = Float32Array.from({ length: 24 }, (_, i) => i);
    const out = columnMajorToRowMajor(src, [2, 3, 4]);
    // [1, 2, 3] -> row-major offset (1*3 + 2)*4 + 3 = 23, source offset 1 + 2*2 + 6*3 = 23.
    expect(out[23]).toBe(23);
    // [1, 0, 2] -> row-major offset (1*3 + 0)*4 + 2 = 14, source offset 1 + 0 + 12 = 13.
    expect(out[14]).toBe(13);
    // [0, 2, 1] -> row-major offset (0*3 + 2)*4 + 1 = 9, source offset 0 + 4 + 6 = 10.
    expect(out[9]).toBe(10);
    expect(out).toBeInstanceOf(Float32Array);
  });

  for (const shape of SHAPES) {
    for (const T of TYPES) {
      it(`columnMajorToRowMajor(${T.name}, [${shape.join(", ")}]) equals the index formula`, () => {
        const size = shape.reduce((a, b) => a * b, 1);
        const src = T.from(values(size));
        expect(Array.from(columnMajorToRowMajor(src, shape))).toEqual(naive(src, shape));
      });
    }
  }

  it("columnMajorToRowMajor(number[], [3, 5, 1, 7, 2]) equals the index formula", () => {
    const src = values(210).map((v) => v / 7);
    expect(Array.from(columnMajorToRowMajor(src, [3, 5, 1, 7, 2]))).toEqual(naive(src, [3, 5, 1, 7, 2]));
  });

  it("columnMajorToRowMajor(Uint32Array [2^32 - 1], Float64Array [0.1]) rounds to float32", () => {
    expect(columnMajorToRowMajor(Uint32Array.of(4294967295), [1])[0]).toBe(4294967296);
    expect(columnMajorToRowMajor(Float64Array.of(0.1), [1, 1])[0]).toBe(Math.fround(0.1));
  });

  it("columnMajorToRowMajor(Int16Array, [2, 3], { slope: 2, inter: -1 }) scales v * 2 - 1", () => {
    const out = columnMajorToRowMajor(Int16Array.of(0, 1, 2, 3, 4, -5), [2, 3], { slope: 2, inter: -1 });
    expect(Array.from(out)).toEqual([-1, 3, 7, 1, 5, -11]);
  });

  it("columnMajorToRowMajor(Uint8Array, [4], { slope: 0.5 }) scales 1D with inter 0", () => {
    expect(Array.from(columnMajorToRowMajor(Uint8Array.of(1, 2, 3, 255), [4], { slope: 0.5 }))).toEqual([
      0.5, 1, 1.5, 127.5,
    ]);
  });

  it("columnMajorToRowMajor(Int16Array, [37, 5, 40], { slope: 0.25, inter: 3 }) scales every voxel", () => {
    const shape = [37, 5, 40];
    const src = Int16Array.from(values(37 * 5 * 40));
    const expected = naive(src, shape).map((v) => Math.fround(v * 0.25 + 3));
    expect(Array.from(columnMajorToRowMajor(src, shape, { slope: 0.25, inter: 3 }))).toEqual(expected);
  });

  it("columnMajorToRowMajor(Float64Array, [9, 2, 70, 3], { slope: -0.5, inter: 1 }) scales the blocked path", () => {
    const shape = [9, 2, 70, 3];
    const src = Float64Array.from(values(9 * 2 * 70 * 3));
    const expected = naive(src, shape).map((v) => Math.fround(v * -0.5 + 1));
    expect(Array.from(columnMajorToRowMajor(src, shape, { slope: -0.5, inter: 1 }))).toEqual(expected);
  });

  it("columnMajorToRowMajor(Node Buffer, [7, 5, 20]) reads the Uint8Array subclass", () => {
    const src = Buffer.from(values(7 * 5 * 20));
    expect(Array.from(columnMajorToRowMajor(src, [7, 5, 20]))).toEqual(naive(src, [7, 5, 20]));
  });

  it("columnMajorToRowMajor(Float64Array [-0], [2, 2]) keeps the sign of zero", () => {
    const out = columnMajorToRowMajor(Float64Array.of(-0, 1, 2, 3), [2, 2]);
    expect(Object.is(out[0], -0)).toBe(true);
  });

  it("columnMajorToRowMajor(x, [2, 2], { slope: 0, inter: 7 }) applies slope 0 as asked", () => {
    expect(Array.from(columnMajorToRowMajor([1, 2, 3, 4], [2, 2], { slope: 0, inter: 7 }))).toEqual([7, 7, 7, 7]);
  });

  it("columnMajorToRowMajor(x, shape, { out }) writes into out and returns it", () => {
    const out = new Float32Array(6);
    const result = columnMajorToRowMajor(Int8Array.of(0, 1, 2, 3, 4, 5), [3, 2], { out });
    expect(result).toBe(out);
    expect(Array.from(out)).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it("columnMajorToRowMajor([], [0, 3]) returns an empty array", () => {
    expect(columnMajorToRowMajor([], [0, 3]).length).toBe(0);
  });

  it("columnMajorToRowMajor(5 values, [2, 3]) throws SHAPE", () => {
    expect(() => columnMajorToRowMajor([1, 2, 3, 4, 5], [2, 3])).toThrow(
      expect.objectContaining({ code: "SHAPE", message: expect.stringContaining("expected 6 values for shape [2, 3], found 5") }),
    );
  });

  it("columnMajorToRowMajor(x, [2, -3]) throws SHAPE", () => {
    expect(() => columnMajorToRowMajor([], [2, -3])).toThrow(DeepRegLoaderError);
  });

  it("columnMajorToRowMajor(x, [2, 3], { out: Float32Array(5) }) throws INVALID_ARGUMENT", () => {
    expect(() => columnMajorToRowMajor([1, 2, 3, 4, 5, 6], [2, 3], { out: new Float32Array(5) })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
  });
});

describe("columnMajorChannels", () => {
  const shape = [5, 4, 3, 3];
  const n = 60;
  const sources = {
    uint8: Uint8Array.from({ length: 3 * n }, (_, i) => (i * 37) % 251),
    int16: Int16Array.from({ length: 3 * n }, (_, i) => ((i * 7919) % 2000) - 1000),
    float32: Float32Array.from({ length: 3 * n }, (_, i) => Math.sin(i) * 1e3),
    float64: Float64Array.from({ length: 3 * n }, (_, i) => Math.cos(i) / 3),
    plain: Array.from({ length: 3 * n }, (_, i) => i / 7),
  };
  for (const [name, source] of Object.entries(sources)) {
    it(`columnMajorChannels(${name} [5, 4, 3, 3]) = takeChannel(columnMajorToRowMajor(source), c) for every c`, () => {
      const whole = createVolume(columnMajorToRowMajor(source, shape), shape);
      const parts = columnMajorChannels(source, shape);
      expect(parts).toHaveLength(3);
      parts.forEach((p, c) => expect(Array.from(p)).toEqual(Array.from(takeChannel(whole, c).data)));
    });
  }

  it("columnMajorChannels(x, [5, 4, 3]) = [columnMajorToRowMajor(x, [5, 4, 3])]", () => {
    const source = Float64Array.from({ length: n }, (_, i) => i / 9);
    const parts = columnMajorChannels(source, [5, 4, 3]);
    expect(parts.map((p) => Array.from(p))).toEqual([Array.from(columnMajorToRowMajor(source, [5, 4, 3]))]);
  });

  it("columnMajorChannels with a wrong length or a 2D shape throws SHAPE", () => {
    expect(() => columnMajorChannels(new Float64Array(10), [5, 4, 3, 3])).toThrow(expect.objectContaining({ code: "SHAPE" }));
    expect(() => columnMajorChannels(new Float64Array(20), [4, 5])).toThrow(expect.objectContaining({ code: "SHAPE" }));
  });
});
