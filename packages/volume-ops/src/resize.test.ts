import { describe, expect, it } from "vitest";
import { createVolume } from "@deepreg-loader/core";
import type { Volume } from "@deepreg-loader/core";
import { resize } from "./resize.js";

/** Deterministic values in [0, 1), distinct enough that axis mix-ups show. */
function volume(shape: number[]): Volume {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({ length: size }, (_, i) => ((i * 7919 + 13) % 1009) / 1009);
  return createVolume(data, shape);
}

/** Source position of output index o along an axis n -> m (the formula of docs/conventions.md). */
function position(o: number, n: number, m: number): { lo: number; hi: number; w: number } {
  const x = ((o + 0.5) * n) / m - 0.5;
  const clamp = (i: number): number => Math.min(Math.max(i, 0), n - 1);
  return { lo: clamp(Math.floor(x)), hi: clamp(Math.ceil(x)), w: x - Math.floor(x) };
}

/**
 * The reference: per output voxel, the weighted sum of the 8 surrounding input voxels
 * (trilinear in one step, float64), channel by channel. Not separable, no tables.
 */
function direct(input: Volume, shape: [number, number, number]): { data: number[]; shape: number[] } {
  const [n0, n1, n2] = input.shape as [number, number, number];
  const channels = input.shape.length === 4 ? (input.shape[3] as number) : 1;
  const at = (i: number, j: number, k: number, c: number): number =>
    input.data[((i * n1 + j) * n2 + k) * channels + c] as number;
  const out: number[] = [];
  for (let i = 0; i < shape[0]; i++) {
    const p = position(i, n0, shape[0]);
    for (let j = 0; j < shape[1]; j++) {
      const q = position(j, n1, shape[1]);
      for (let k = 0; k < shape[2]; k++) {
        const r = position(k, n2, shape[2]);
        for (let c = 0; c < channels; c++) {
          let sum = 0;
          for (const [a, wa] of [[p.lo, 1 - p.w], [p.hi, p.w]] as const) {
            for (const [b, wb] of [[q.lo, 1 - q.w], [q.hi, q.w]] as const) {
              for (const [d, wd] of [[r.lo, 1 - r.w], [r.hi, r.w]] as const) {
                sum += wa * wb * wd * at(a, b, d, c);
              }
            }
          }
          out.push(sum);
        }
      }
    }
  }
  return { data: out, shape: input.shape.length === 4 ? [...shape, channels] : [...shape] };
}

function expectClose(actual: Volume, expected: { data: number[]; shape: number[] }): void {
  expect(actual.shape).toEqual(expected.shape);
  expect(actual.data.length).toBe(expected.data.length);
  let worst = 0;
  expected.data.forEach((v, i) => {
    worst = Math.max(worst, Math.abs((actual.data[i] as number) - v));
  });
  expect(worst).toBeLessThan(1e-6);
}

const CASES: [number[], [number, number, number]][] = [
  [[4, 6, 8], [8, 12, 16]], // upsample, even
  [[5, 7, 9], [11, 13, 19]], // upsample, odd
  [[8, 6, 4], [4, 3, 2]], // downsample, even
  [[9, 7, 5], [4, 3, 2]], // downsample, odd to even
  [[5, 4, 3], [7, 2, 6]], // mixed up and down per axis
  [[5, 4, 3], [5, 9, 2]], // one axis unchanged
  [[1, 4, 3], [3, 4, 5]], // input length 1
  [[5, 4, 3], [1, 1, 1]], // output length 1
  [[6, 5, 4], [1, 7, 1]], // output length 1 on two axes
  [[5, 4, 3, 2], [3, 6, 4]], // 4D label, channels carried
  [[4, 3, 5, 3], [7, 3, 2]], // 4D label, mixed
  [[3, 4, 5, 1], [6, 2, 5]], // 4D label, one channel
];

describe("resize", () => {
  for (const [from, to] of CASES) {
    it(`resize([${from.join(", ")}] values, [${to.join(", ")}]) equals the direct trilinear formula`, () => {
      const input = volume(from);
      expectClose(resize(input, to), direct(input, to));
    });
  }

  it("resize([1, 1, 4] ramp 0..3, [1, 1, 2]) = [0.5, 2.5]", () => {
    const out = resize(createVolume(Float32Array.of(0, 1, 2, 3), [1, 1, 4]), [1, 1, 2]);
    expect(out.shape).toEqual([1, 1, 2]);
    expect(Array.from(out.data)).toEqual([0.5, 2.5]);
  });

  it("resize([1, 1, 4] ramp 0..3, [1, 1, 8]) = [0, 0.25, 0.75, ..., 2.75, 3]", () => {
    const out = resize(createVolume(Float32Array.of(0, 1, 2, 3), [1, 1, 4]), [1, 1, 8]);
    expect(Array.from(out.data)).toEqual([0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3]);
  });

  it("resize([3, 1, 1] of 0, 10, 20, [2, 1, 1]) = [2.5, 17.5]", () => {
    // x = (o + 0.5) * 1.5 - 0.5: 0.25 and 1.75.
    const out = resize(createVolume(Float32Array.of(0, 10, 20), [3, 1, 1]), [2, 1, 1]);
    expect(out.shape).toEqual([2, 1, 1]);
    expect(Array.from(out.data)).toEqual([2.5, 17.5]);
  });

  it("resize([1, 2, 1] of 4, 8, [1, 5, 1]) = [4, 4.4, 6, 7.6, 8]", () => {
    // x = (o + 0.5) * 2 / 5 - 0.5: -0.3, 0.1, 0.5, 0.9, 1.3.
    const out = resize(createVolume(Float32Array.of(4, 8), [1, 2, 1]), [1, 5, 1]);
    expect(Array.from(out.data)).toEqual([4, 4.4, 6, 7.6, 8].map(Math.fround));
  });

  it("resize([2, 2, 1, 2] label, [4, 2, 1]) interpolates each channel on its own", () => {
    // Channel 0 along axis 0: 0 -> 1 at j = 0 and 2 -> 3 at j = 1; channel 1 = 10 * channel 0.
    const label = createVolume(Float32Array.of(0, 0, 2, 20, 1, 10, 3, 30), [2, 2, 1, 2]);
    const out = resize(label, [4, 2, 1]);
    expect(out.shape).toEqual([4, 2, 1, 2]);
    // Axis 0, n = 2 -> m = 4: x = -0.25, 0.25, 0.75, 1.25 -> weights 0, 0.25, 0.75, 1.
    expect(Array.from(out.data)).toEqual([0, 0, 2, 20, 0.25, 2.5, 2.25, 22.5, 0.75, 7.5, 2.75, 27.5, 1, 10, 3, 30]);
  });

  it("resize([5, 4, 3], [5, 4, 3]) returns an equal copy", () => {
    const input = volume([5, 4, 3]);
    const out = resize(input, [5, 4, 3]);
    expect(out.data).not.toBe(input.data);
    expect(out.shape).toEqual([5, 4, 3]);
    expect(Array.from(out.data)).toEqual(Array.from(input.data));
  });

  it("resize([5, 4, 3, 2], [5, 4, 3]) returns an equal 4D copy", () => {
    const input = volume([5, 4, 3, 2]);
    const out = resize(input, [5, 4, 3]);
    expect(out.shape).toEqual([5, 4, 3, 2]);
    expect(Array.from(out.data)).toEqual(Array.from(input.data));
  });

  it("resize(v, shape) leaves its input unchanged", () => {
    const input = volume([5, 4, 3]);
    const before = Array.from(input.data);
    resize(input, [2, 7, 4]);
    expect(Array.from(input.data)).toEqual(before);
  });

  it("resize([4, 5] 2D, [2, 2, 2]) throws SHAPE", () => {
    expect(() => resize(volume([4, 5]), [2, 2, 2])).toThrow(expect.objectContaining({ code: "SHAPE" }));
  });

  it("resize([0, 4, 3], [2, 4, 3]) throws SHAPE", () => {
    expect(() => resize(volume([0, 4, 3]), [2, 4, 3])).toThrow(expect.objectContaining({ code: "SHAPE" }));
  });

  it("resize(v, [0, 2, 2]) and resize(v, [2.5, 2, 2]) throw INVALID_ARGUMENT", () => {
    expect(() => resize(volume([5, 4, 3]), [0, 2, 2])).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => resize(volume([5, 4, 3]), [2.5, 2, 2])).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining("[2.5, 2, 2]") }),
    );
  });

  it("resize(transposed view, shape) throws INVALID_ARGUMENT", () => {
    const view = createVolume(new Float32Array(60), [5, 4, 3]).transpose(2, 1, 0);
    expect(() => resize(view, [2, 2, 2])).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });

  describe("options.out", () => {
    const cases: [number[], [number, number, number]][] = [
      [[5, 4, 3], [2, 7, 4]],
      [[5, 4, 3], [5, 4, 6]],
      [[5, 4, 3, 2], [3, 4, 5]],
      [[5, 4, 3], [5, 4, 3]],
    ];
    for (const [from, to] of cases) {
      it(`resize([${from.join(", ")}], [${to.join(", ")}], { out }) writes the same values into out and returns it`, () => {
        const input = volume(from);
        const expected = resize(input, to);
        const out = new Float32Array(expected.size).fill(Number.NaN);
        const got = resize(input, to, { out });
        expect(got.data).toBe(out);
        expect(got.shape).toEqual(expected.shape);
        expect(Array.from(out)).toEqual(Array.from(expected.data));
      });
    }

    it("resize([2, 3, 4], [3, 2, 4], { out: the input's own data }) gives the values of a fresh resize", () => {
      const input = volume([2, 3, 4]);
      const expected = Array.from(resize(input, [3, 2, 4]).data);
      const got = resize(input, [3, 2, 4], { out: input.data });
      expect(got.data).toBe(input.data);
      expect(Array.from(got.data)).toEqual(expected);
    });

    it("resize(v, shape, { out of the wrong length }) throws INVALID_ARGUMENT naming both lengths", () => {
      expect(() => resize(volume([5, 4, 3]), [2, 7, 4], { out: new Float32Array(55) })).toThrow(
        expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining("55 elements, expected 56") }),
      );
    });
  });
});
