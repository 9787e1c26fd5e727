import { describe, expect, it } from "vitest";
import { bigintToFloat32 } from "./bigint-to-float32.js";

describe("bigintToFloat32", () => {
  it("bigintToFloat32(small and 2^53 - 1) equals Math.fround(Number(x))", () => {
    for (const x of [0n, 1n, -7n, 16777217n, 2n ** 53n - 1n, -(2n ** 53n - 1n)]) {
      expect(bigintToFloat32(x)).toBe(Math.fround(Number(x)));
    }
  });

  it("bigintToFloat32(2^60 + 2^36 + 1) rounds up once (Number() then fround would round to 2^60)", () => {
    // 2^60 + 2^36 is exactly halfway between the float32s 2^60 and 2^60 + 2^37; the +1 breaks the tie upward.
    const x = 2n ** 60n + 2n ** 36n + 1n;
    expect(Math.fround(Number(x))).toBe(2 ** 60);
    expect(bigintToFloat32(x)).toBe(2 ** 60 + 2 ** 37);
    expect(bigintToFloat32(-x)).toBe(-(2 ** 60 + 2 ** 37));
    expect(bigintToFloat32(2n ** 60n + 2n ** 36n)).toBe(2 ** 60); // exact tie: to even
  });

  it("bigintToFloat32(2^64 - 1) is 2^64 (uint64 max); 2^200 is Infinity", () => {
    expect(bigintToFloat32(2n ** 64n - 1n)).toBe(2 ** 64);
    expect(bigintToFloat32(2n ** 200n)).toBe(Number.POSITIVE_INFINITY);
  });
});
