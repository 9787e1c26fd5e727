import { describe, expect, it } from "vitest";
import { createVolume, zerosVolume } from "@deepreg-loader/core";
import { describe as describeVolume } from "./describe.js";

describe("describe", () => {
  it("describe([64, 64, 60] of 0..255) = 'float32 [64, 64, 60] min 0 max 255'", () => {
    const v = zerosVolume([64, 64, 60]);
    v.data[1234] = 255;
    expect(describeVolume(v)).toBe("float32 [64, 64, 60] min 0 max 255");
  });

  it("describe([-0.1, 1/3]) rounds to 6 significant digits", () => {
    expect(describeVolume(createVolume(Float32Array.of(-0.1, 1 / 3), [2, 1]))).toBe(
      "float32 [2, 1] min -0.1 max 0.333333",
    );
  });

  it("describe([NaN]) = 'float32 [1] min NaN max NaN'", () => {
    expect(describeVolume(createVolume(Float32Array.of(Number.NaN), [1]))).toBe("float32 [1] min NaN max NaN");
  });

  it("describe(empty [0, 4]) = 'float32 [0, 4] (empty)'", () => {
    expect(describeVolume(createVolume(new Float32Array(0), [0, 4]))).toBe("float32 [0, 4] (empty)");
  });
});
