import { describe, expect, it } from "vitest";
import { ddfFromLowRes } from "./ddf-from-low-res.js";

describe("ddfFromLowRes", () => {
  it("ddfFromLowRes([a, b, c], [1, 1, 1], [3, 4, 5]) is (a, b, c) at every voxel", () => {
    const ddf = ddfFromLowRes([0.5, -1.25, 2], [1, 1, 1], [3, 4, 5]);
    expect(ddf.shape).toEqual([3, 4, 5, 3]);
    for (let n = 0; n < 60; n++) expect([ddf.data[3 * n], ddf.data[3 * n + 1], ddf.data[3 * n + 2]]).toEqual([0.5, -1.25, 2]);
  });

  it("ddfFromLowRes(2 x 1 x 1 field, [4, 2, 1]) resizes with half-pixel centres, edges clamped", () => {
    // axis 0: x = o / 2 - 0.25 -> a0, a0 + 0.25 (a1 - a0), a0 + 0.75 (a1 - a0), a1
    const ddf = ddfFromLowRes([0, 4, -8, 8, 0, 8], [2, 1, 1], [4, 2, 1]);
    expect(ddf.shape).toEqual([4, 2, 1, 3]);
    const rows = [
      [0, 4, -8],
      [2, 3, -4],
      [6, 1, 4],
      [8, 0, 8],
    ];
    const expected = rows.flatMap((r) => [...r, ...r]);
    expect(Array.from(ddf.data)).toEqual(expected);
  });

  it("ddfFromLowRes(field of the image shape) returns it as float32", () => {
    const field = Array.from({ length: 2 * 3 * 1 * 3 }, (_, i) => i / 10);
    expect(Array.from(ddfFromLowRes(field, [2, 3, 1], [2, 3, 1]).data)).toEqual(field.map(Math.fround));
  });

  it("ddfFromLowRes(wrong length or NaN) throws INVALID_ARGUMENT", () => {
    expect(() => ddfFromLowRes([1, 2], [1, 1, 1], [2, 2, 2])).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining("expected 3 finite numbers") }));
    expect(() => ddfFromLowRes([1, 2, Number.NaN], [1, 1, 1], [2, 2, 2])).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => ddfFromLowRes([1, 2, 3], [1, 1, 0] as never, [2, 2, 2])).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});
