import { describe, expect, it } from "vitest";
import { createVolume } from "@deepreg-loader/core";
import { contiguousData } from "./contiguous.js";

describe("contiguousData", () => {
  it("contiguousData(createVolume(data, [2, 3, 1])) = data", () => {
    const data = new Float32Array(6);
    expect(contiguousData(createVolume(data, [2, 3, 1]), "f")).toBe(data);
  });

  it("contiguousData(v.transpose(1, 0, 2)) throws INVALID_ARGUMENT naming the caller and strides", () => {
    const v = createVolume(new Float32Array(6), [2, 3, 1]).transpose(1, 0, 2);
    expect(() => contiguousData(v, "resize")).toThrow(
      expect.objectContaining({
        code: "INVALID_ARGUMENT",
        message: "resize: expected a contiguous row-major volume with offset 0, found shape [3, 2, 1] stride [1, 3, 1] offset 0",
      }),
    );
  });

  it("contiguousData(v.pick(1)) throws INVALID_ARGUMENT (offset 3)", () => {
    const v = createVolume(new Float32Array(6), [2, 3]).pick(1, null);
    expect(() => contiguousData(v, "f")).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});
