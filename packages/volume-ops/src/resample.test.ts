import { describe, expect, it } from "vitest";
import { createVolume } from "@deepreg-loader/core";
import type { Volume } from "@deepreg-loader/core";
import { resample } from "./resample.js";

/** `v[i, j, k] = 100 i + 10 j + k` on `[3, 4, 5]`: linear, so interpolation is exact inside. */
function linear(): Volume {
  const data = new Float32Array(60);
  for (let i = 0, n = 0; i < 3; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 5; k++, n++) data[n] = 100 * i + 10 * j + k;
  return createVolume(data, [3, 4, 5]);
}

function at(points: Array<[number, number, number]>): Volume {
  return createVolume(Float32Array.from(points.flat()), [points.length, 1, 1, 3]);
}

describe("resample", () => {
  it("resample([3, 4, 5] linear, interior points) interpolates linearly", () => {
    const out = resample(linear(), at([[1.5, 2.25, 3.75], [1, 2, 3], [0.5, 1, 1], [2, 3, 4], [1, 0.5, 0.25]]));
    expect(out.shape).toEqual([5, 1, 1]);
    expect(Array.from(out.data)).toEqual([176.25, 123, 61, 234, 105.25]);
  });

  it("resample(v, locations <= 0 or > d - 1 on any axis) is 0 (zero boundary)", () => {
    const out = resample(
      linear(),
      at([[0, 1, 1], [1, 0, 1], [1, 1, 0], [-0.5, 1, 1], [2.0001, 1, 1], [1, 3.5, 1], [1, 1, 4.5], [1, 1, -3], [Number.NaN, 1, 1]]),
    );
    expect(Array.from(out.data)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("resample(2x2x2 corner volume, (0.25, 0.5, 0.75)) = 8 * 0.25 * 0.5 * 0.75", () => {
    const data = new Float32Array(8);
    data[7] = 8; // v[1, 1, 1]
    const out = resample(createVolume(data, [2, 2, 2]), at([[0.25, 0.5, 0.75], [0.5, 0.5, 0.5], [1, 1, 1]]));
    expect(Array.from(out.data)).toEqual([0.75, 1, 8]);
  });

  it("resample(v, x = 0.1) uses the float32 weights ceil - x and x - floor", () => {
    // v[0, *, *] = 3, v[1, *, *] = 0: the value at (x, 1, 1) is 3 * wFloor = 3 * f32(1 - f32(x)).
    const data = Float32Array.of(3, 3, 3, 3, 0, 0, 0, 0);
    const x = Math.fround(0.1);
    const out = resample(createVolume(data, [2, 2, 2]), at([[0.1, 1, 1]]));
    expect(out.data[0]).toBe(Math.fround(3 * Math.fround(1 - x)));
    expect(out.data[0]).toBe(2.6999998092651367);
    expect(out.data[0]).not.toBe(Math.fround(3 * (1 - x))); // 2.700000047683716 with a float64 weight
  });

  it("resample([3, 4, 5, 2], locations) carries the channel axis", () => {
    const v = linear();
    const data = new Float32Array(120);
    for (let n = 0; n < 60; n++) {
      data[2 * n] = v.data[n] as number;
      data[2 * n + 1] = -(v.data[n] as number) / 2;
    }
    const out = resample(createVolume(data, [3, 4, 5, 2]), createVolume(Float32Array.of(1.5, 2.25, 3.75, 0, 1, 1, 1, 2, 3, 2, 3, 4.5), [2, 2, 1, 3]));
    expect(out.shape).toEqual([2, 2, 1, 2]);
    expect(Array.from(out.data)).toEqual([176.25, -88.125, 0, 0, 123, -61.5, 0, 0]);
  });

  it("resample(v, locations) leaves its inputs unchanged", () => {
    const v = linear();
    const loc = at([[1.5, 2.25, 3.75]]);
    const before = Array.from(v.data);
    resample(v, loc);
    expect(Array.from(v.data)).toEqual(before);
    expect(Array.from(loc.data)).toEqual([1.5, 2.25, 3.75]);
  });

  it("resample(2D volume, locations) throws SHAPE", () => {
    expect(() => resample(createVolume(new Float32Array(4), [2, 2]), at([[0, 0, 0]]))).toThrow(
      expect.objectContaining({ code: "SHAPE", message: expect.stringContaining("[2, 2]") }),
    );
  });

  it("resample(v, locations [1, 1, 1, 2]) throws SHAPE", () => {
    expect(() => resample(linear(), createVolume(new Float32Array(2), [1, 1, 1, 2]))).toThrow(
      expect.objectContaining({ code: "SHAPE", message: expect.stringContaining("[l1, l2, l3, 3]") }),
    );
  });

  it("resample(strided view, locations) throws INVALID_ARGUMENT", () => {
    expect(() => resample(linear().transpose(2, 1, 0), at([[1, 1, 1]]))).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
  });
});
