import { describe, expect, it } from "vitest";
import { createVolume as createNdarrayVolume } from "./volume.js";
import { createVolume, fromVolumeData, zerosVolume } from "./volume-csp.js";

describe("volume-csp (browser entry's volumes)", () => {
  const data = Float32Array.from({ length: 60 }, (_, i) => i * 1.5);

  it("createVolume(data, [5, 4, 3]) has ndarray's fields and get/index of every voxel", () => {
    const v = createVolume(data, [5, 4, 3]);
    const reference = createNdarrayVolume(data, [5, 4, 3]);
    expect([v.shape, v.stride, v.offset, v.size, v.dimension, v.dtype, v.order]).toEqual([
      reference.shape, reference.stride, reference.offset, reference.size, reference.dimension, reference.dtype, reference.order,
    ]);
    expect(v.data).toBe(data);
    for (let i = 0; i < 5; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 3; k++) {
      expect([v.get(i, j, k), v.index(i, j, k)]).toEqual([reference.get(i, j, k), reference.index(i, j, k)]);
    }
  });

  it("set(i, j, k, value) writes the row-major element", () => {
    const v = zerosVolume([2, 3, 4]);
    v.set(1, 2, 3, 7);
    expect(v.data[1 * 12 + 2 * 4 + 3]).toBe(7);
    expect(fromVolumeData({ data: v.data, shape: [2, 3, 4] }).get(1, 2, 3)).toBe(7);
  });

  it("view methods throw INVALID_ARGUMENT; a wrong size is SHAPE", () => {
    const v = createVolume(data, [5, 4, 3]);
    expect(() => v.pick(0)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => v.transpose(2, 1, 0)).toThrow(/browser build/);
    expect(() => createVolume(data, [5, 4, 4])).toThrow(expect.objectContaining({ code: "SHAPE" }));
  });
});
