import { describe, expect, test } from "vitest";
import { DeepRegLoaderError } from "./errors.js";
import { createVolume, fromVolumeData, shapeSize, toVolumeData, zerosVolume } from "./volume.js";

describe("volumes", () => {
  test("createVolume(data of 60, [5, 4, 3]) is row-major: get(i, j, k) = data[(i * 4 + j) * 3 + k]", () => {
    const data = Float32Array.from({ length: 60 }, (_, i) => i);
    const v = createVolume(data, [5, 4, 3]);
    expect(v.shape).toEqual([5, 4, 3]);
    expect(v.stride).toEqual([12, 3, 1]);
    expect(v.get(0, 0, 1)).toBe(1);
    expect(v.get(0, 1, 0)).toBe(3);
    expect(v.get(1, 0, 0)).toBe(12);
    expect(v.get(4, 3, 2)).toBe(59);
    expect(v.data).toBe(data);
  });

  test("createVolume(data of 59, [5, 4, 3]) -> SHAPE", () => {
    expect(() => createVolume(new Float32Array(59), [5, 4, 3])).toThrowError(
      expect.objectContaining({ code: "SHAPE", message: "cannot view 59 values as shape [5, 4, 3] (60 values)" }),
    );
  });

  test("createVolume(data, [2, -1]) and [2.5] -> SHAPE", () => {
    expect(() => createVolume(new Float32Array(2), [2, -1])).toThrow(DeepRegLoaderError);
    expect(() => createVolume(new Float32Array(2), [2.5])).toThrow(DeepRegLoaderError);
  });

  test("shapeSize([5, 4, 3]) = 60, shapeSize([]) = 1, zerosVolume([2, 3]) is zeros", () => {
    expect(shapeSize([5, 4, 3])).toBe(60);
    expect(shapeSize([])).toBe(1);
    const z = zerosVolume([2, 3]);
    expect([...z.data]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(z.shape).toEqual([2, 3]);
  });

  test("toVolumeData / fromVolumeData round trip through structuredClone", () => {
    const v = createVolume(Float32Array.from([1, 2, 3, 4, 5, 6]), [1, 2, 3]);
    const cloned = structuredClone(toVolumeData(v));
    const back = fromVolumeData(cloned);
    expect(back.shape).toEqual([1, 2, 3]);
    expect(back.get(0, 1, 2)).toBe(6);
    expect(back.data).not.toBe(v.data);
  });
});
