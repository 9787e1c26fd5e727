import { describe, expect, it } from "vitest";
import { AFFINE_CORNERS, affineFromNoise } from "./affine-from-noise.js";

describe("affineFromNoise", () => {
  it("affineFromNoise(all ones) is the identity", () => {
    expect(affineFromNoise(new Array(12).fill(1))).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]);
  });

  it("affineFromNoise(all s) scales about the origin: diag(s), no translation", () => {
    expect(affineFromNoise(new Array(12).fill(0.75))).toEqual([0.75, 0, 0, 0, 0.75, 0, 0, 0, 0.75, 0, 0, 0]);
  });

  it("affineFromNoise(one corner's x at 0.9) maps x to 0.95 x - 0.05", () => {
    // corner 3 is (1, -1, -1): new x = 0.9; the others keep x = -1, so x' = 0.95 x - 0.05.
    const noise = new Array(12).fill(1);
    noise[9] = 0.9;
    expect(affineFromNoise(noise)).toEqual([0.95, 0, 0, 0, 1, 0, 0, 0, 1, -0.050000000000000044, 0, 0]);
  });

  it("affineFromNoise(noise) solves old @ theta = old[:, :3] * noise exactly", () => {
    const noise = [0.93, 0.97, 0.91, 0.99, 0.905, 0.95, 0.92, 0.96, 0.98, 0.94, 0.9, 0.999];
    const theta = affineFromNoise(noise);
    for (let r = 0; r < 4; r++) {
      const old = AFFINE_CORNERS[r] as readonly number[];
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let q = 0; q < 4; q++) sum += (old[q] as number) * (theta[q * 3 + c] as number);
        expect(sum).toBeCloseTo((old[c] as number) * (noise[r * 3 + c] as number), 15);
      }
    }
  });

  it("affineFromNoise(11 numbers or NaN) throws INVALID_ARGUMENT", () => {
    expect(() => affineFromNoise(new Array(11).fill(1))).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => affineFromNoise([...new Array(11).fill(1), Number.NaN])).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining("non-finite") }),
    );
  });
});
