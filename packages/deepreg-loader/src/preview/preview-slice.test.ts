import { describe, expect, it } from "vitest";
import { createVolume, isDeepRegLoaderError } from "@deepreg-loader/core";
import { labelSliceIndex, midSlice, sliceAt } from "./preview-slice.js";

describe("midSlice", () => {
  it("midSlice([5,4,3] ramp) takes vol[:, :, 1], first axis across, second axis up", () => {
    // value = 100 * i + 10 * j + k
    const data = new Float32Array(60);
    for (let i = 0; i < 5; i++)
      for (let j = 0; j < 4; j++) for (let k = 0; k < 3; k++) data[i * 12 + j * 3 + k] = 100 * i + 10 * j + k;
    const s = midSlice(createVolume(data, [5, 4, 3]));
    expect(s.width).toBe(5);
    expect(s.height).toBe(4);
    // top-left pixel: i = 0, j = 3; bottom-right: i = 4, j = 0
    expect(s.data[0]).toBe(31);
    expect(s.data[4]).toBe(431);
    expect(s.data[3 * 5 + 4]).toBe(401);
    expect(s.data[2 * 5 + 1]).toBe(111);
  });

  it("midSlice([4,4] volume) throws SHAPE", () => {
    expect(() => midSlice(createVolume(new Float32Array(16), [4, 4]))).toThrow(/3D volume/);
    try {
      midSlice(createVolume(new Float32Array(16), [4, 4]));
    } catch (e) {
      expect(isDeepRegLoaderError(e, "SHAPE")).toBe(true);
    }
  });
});

describe("sliceAt / labelSliceIndex", () => {
  it("sliceAt([5,4,3] ramp, 2) takes vol[:, :, 2]", () => {
    const data = new Float32Array(60);
    for (let i = 0; i < 5; i++)
      for (let j = 0; j < 4; j++) for (let k = 0; k < 3; k++) data[i * 12 + j * 3 + k] = 100 * i + 10 * j + k;
    const s = sliceAt(createVolume(data, [5, 4, 3]), 2);
    expect([s.width, s.height, s.data[0], s.data[3 * 5 + 4]]).toEqual([5, 4, 32, 402]);
    expect(() => sliceAt(createVolume(data, [5, 4, 3]), 3)).toThrow(/slice 3 of an axis of 3/);
  });

  it("labelSliceIndex([3,2,7] label with mass 1 at k=1 and 0.5 at k=4) is round(2) = 2", () => {
    const data = new Float32Array(42);
    data[0 * 14 + 1 * 7 + 1] = 1; // (0, 1, 1)
    data[2 * 14 + 0 * 7 + 4] = 0.5; // (2, 0, 4)
    expect(labelSliceIndex(createVolume(data, [3, 2, 7]))).toBe(2);
    data[2 * 14 + 0 * 7 + 4] = 3; // (1 + 12) / 4 = 3.25
    expect(labelSliceIndex(createVolume(data, [3, 2, 7]))).toBe(3);
  });

  it("labelSliceIndex(empty [3,2,7] label) is the middle slice 3", () => {
    expect(labelSliceIndex(createVolume(new Float32Array(42), [3, 2, 7]))).toBe(3);
  });
});
