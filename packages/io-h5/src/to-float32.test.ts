import { describe, expect, it } from "vitest";
import { bigintToFloat32 } from "@deepreg-loader/core";
import { copyToFloat32 } from "./to-float32.js";

function bits(x: number): number {
  return new Uint32Array(Float32Array.of(x).buffer)[0] as number;
}

describe("bigintToFloat32", () => {
  // Expected bit patterns from numpy: np.array([...], "i8").astype(np.float32).view("u4").
  it("bigintToFloat32(2^60 + 2^36 + 1) rounds once, up (double rounding would give 2^60)", () => {
    expect(bits(bigintToFloat32(2n ** 60n + 2n ** 36n + 1n))).toBe(1568669697);
  });
  it("bigintToFloat32 of values around 2^54 and the int64 / uint64 extremes", () => {
    expect(bits(bigintToFloat32(2n ** 54n + 2n ** 30n))).toBe(1518338048); // tie -> even
    expect(bits(bigintToFloat32(2n ** 54n + 2n ** 30n + 1n))).toBe(1518338049);
    expect(bits(bigintToFloat32(2n ** 63n - 1n))).toBe(1593835520);
    expect(bits(bigintToFloat32(-(2n ** 63n)))).toBe(3741319168);
    expect(bits(bigintToFloat32(2n ** 64n - 1n))).toBe(1602224128);
    expect(bits(bigintToFloat32(2n ** 63n + 2n ** 39n + 1n))).toBe(1593835521);
  });
  it("bigintToFloat32(small) equals Math.fround(Number(x))", () => {
    for (const x of [0n, 1n, -1n, 16777217n, -16777217n, 2n ** 53n - 1n]) {
      expect(bigintToFloat32(x)).toBe(Math.fround(Number(x)));
    }
  });
});

describe("copyToFloat32", () => {
  it("copyToFloat32(BigInt64Array [-1, 2^53+1, -(2^60+2^36+1)], out, 1)", () => {
    const out = new Float32Array(4);
    copyToFloat32(BigInt64Array.of(-1n, 2n ** 53n + 1n, -(2n ** 60n + 2n ** 36n + 1n)), out, 1);
    expect([...out]).toEqual([0, -1, 2 ** 53, -Math.fround(2 ** 60 + 2 ** 37)]);
    expect(bits(out[3] as number)).toBe((1568669697 | 0x80000000) >>> 0);
  });
  it("copyToFloat32(BigUint64Array [2^64-1, 5], out, 0)", () => {
    const out = new Float32Array(2);
    copyToFloat32(BigUint64Array.of(2n ** 64n - 1n, 5n), out, 0);
    expect([...out]).toEqual([2 ** 64, 5]);
  });
  it("copyToFloat32(Float64Array [1e300, -1e300, 1 + 2^-24 + 2^-50], out, 0) -> inf, -inf, 1 + 2^-23", () => {
    const out = new Float32Array(3);
    copyToFloat32(Float64Array.of(1e300, -1e300, 1 + 2 ** -24 + 2 ** -50), out, 0);
    expect([...out]).toEqual([Infinity, -Infinity, 1 + 2 ** -23]);
  });
  it("copyToFloat32(Int32Array [2^24+1, -7], out, 0)", () => {
    const out = new Float32Array(2);
    copyToFloat32(Int32Array.of(2 ** 24 + 1, -7), out, 0);
    expect([...out]).toEqual([2 ** 24, -7]);
  });
});
