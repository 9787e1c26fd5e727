import { describe, expect, it } from "vitest";
import { createVolume } from "@deepreg-loader/core";
import { stackVolumes } from "./stack-volumes.js";

describe("stackVolumes", () => {
  it("stackVolumes([2, 3, 1] x 2) = [2, 2, 3, 1], first volume first", () => {
    const a = createVolume(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3, 1]);
    const b = createVolume(Float32Array.of(7, 8, 9, 10, 11, 12), [2, 3, 1]);
    const out = stackVolumes([a, b]);
    expect(out.shape).toEqual([2, 2, 3, 1]);
    expect(Array.from(out.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(out.get(1, 0, 2, 0)).toBe(9);
  });

  it("stackVolumes([v]) = [1, ...shape], a copy", () => {
    const v = createVolume(Float32Array.of(1, 2), [1, 2, 1]);
    const out = stackVolumes([v]);
    expect(out.shape).toEqual([1, 1, 2, 1]);
    expect(out.data).not.toBe(v.data);
    expect(Array.from(out.data)).toEqual([1, 2]);
  });

  it("stackVolumes([2, 3, 1], [3, 2, 1]) throws SHAPE naming volume 1", () => {
    const a = createVolume(new Float32Array(6), [2, 3, 1]);
    const b = createVolume(new Float32Array(6), [3, 2, 1]);
    expect(() => stackVolumes([a, a, b])).toThrow(
      expect.objectContaining({
        code: "SHAPE",
        message: "stackVolumes: volume 2 has shape [3, 2, 1], expected [2, 3, 1] like volume 0",
      }),
    );
  });

  it("stackVolumes([2, 3, 1], [2, 3]) throws SHAPE", () => {
    const a = createVolume(new Float32Array(6), [2, 3, 1]);
    const b = createVolume(new Float32Array(6), [2, 3]);
    expect(() => stackVolumes([a, b])).toThrow(expect.objectContaining({ code: "SHAPE" }));
  });

  it("stackVolumes([]) throws INVALID_ARGUMENT", () => {
    expect(() => stackVolumes([])).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});
